//! `nshed lsp`: a language server over stdio. The language intelligence is the library's
//! (`nshed::ide`: one `Analysis` per version of a document answers hovers, completion,
//! definitions, references, renames, the outline, semantic tokens, formatting and the
//! problems); this module speaks the protocol and converts.
//!
//! * `transport`: the framing (`Content-Length` headers), read within fixed limits.
//! * `message`: JSON-RPC messages, and the errors for what is not one (-32700, -32600).
//! * `queue`: a reader thread parses messages into a bounded queue, where a burst of
//!   `didChange` of one document keeps only the latest text.
//! * `dispatch`: the server's life (initialize, shutdown, exit) and where messages go.
//! * `documents`: the open documents, each analysed when first needed.
//! * `requests/`: one file per request; `convert`: offsets and problems to the protocol's
//!   positions and diagnostics; `capabilities`: what the `initialize` answer offers.
//!
//! The server answers one message at a time, on one thread: a single-file language needs
//! no more. When no message waits, it analyses the documents that changed and publishes
//! their diagnostics.
//!
//! To add a feature: declare it in `capabilities`, add a file to `requests/` with a
//! function from the request's parameters to its result (asking the document's
//! `Analysis`, which gets the new question if it is about the language), route the
//! method to it in `requests::handle`, and test it (see ARCHITECTURE.md).

mod capabilities;
mod convert;
mod dispatch;
mod documents;
mod message;
mod queue;
mod requests;
mod transport;

#[cfg(test)]
mod tests;

use std::io::{Read, Write};
use std::sync::Arc;

pub use capabilities::capabilities;
pub use transport::{MAX_FRAME_BYTES, MAX_HEADER_LINE};

use dispatch::{Next, Server};
use queue::{InputEnd, Item, Queue};

/// How the server ended.
#[derive(Debug)]
pub enum Ended {
    /// The client said `exit`, or closed the input, after `shutdown`: status 0.
    Clean,
    /// The client said `exit`, or closed the input, without `shutdown`: status 1, as the
    /// protocol says.
    WithoutShutdown,
    /// A message header could not be read, so neither could the rest (status 1).
    Unreadable(String),
    /// An answer could not be written: the client is gone.
    Unwritable(std::io::Error),
}

/// Serves the protocol on stdin and `out` (standard output) until the client says `exit`
/// or closes stdin.
pub fn run_stdio(out: impl Write) -> Ended {
    serve(std::io::stdin(), out)
}

/// Serves one client: messages read from `input` (on a thread of their own), answers
/// written to `output`.
pub fn serve(input: impl Read + Send + 'static, output: impl Write) -> Ended {
    serve_with_limit(input, output, MAX_FRAME_BYTES)
}

/// [`serve`], refusing messages longer than `limit` bytes.
fn serve_with_limit(
    input: impl Read + Send + 'static,
    mut output: impl Write,
    limit: u64,
) -> Ended {
    let queue = Arc::new(Queue::default());
    let reader = {
        let queue = Arc::clone(&queue);
        std::thread::spawn(move || {
            let input = std::io::BufReader::with_capacity(1 << 16, input);
            queue::read_into(input, &queue, limit)
        })
    };
    let ended = serve_queue(&queue, &mut output);
    queue.server_gone();
    // A reader still waiting on the input has nothing more to give.
    if reader.is_finished() {
        let _ = reader.join();
    }
    ended
}

fn serve_queue(queue: &Queue, output: &mut impl Write) -> Ended {
    let mut server = Server::new();
    loop {
        if queue.is_empty() {
            if let Err(e) = send(output, server.publish_pending(true)) {
                return Ended::Unwritable(e);
            }
        }
        let next = match queue.pop() {
            Item::Message(message) => {
                // Diagnostics go out when the server is idle, when a request made them
                // anyway, and at the latest before `shutdown` is answered, so a client
                // that writes faster than the server answers still gets each document's
                // latest ones.
                let (shutdown, request) = match &message {
                    message::Incoming::Request { method, .. } => (method == "shutdown", true),
                    _ => (false, false),
                };
                let mut published = if shutdown {
                    server.publish_pending(true)
                } else {
                    Vec::new()
                };
                let next = server.handle(message);
                if request {
                    published.extend(server.publish_pending(false));
                }
                match next {
                    Next::Send(mut messages) => {
                        messages.splice(0..0, published);
                        Next::Send(messages)
                    }
                    exit => exit,
                }
            }
            Item::End(InputEnd::Closed) if server.shut_down() => return Ended::Clean,
            Item::End(InputEnd::Closed) => return Ended::WithoutShutdown,
            Item::End(InputEnd::Unreadable(reason)) => return Ended::Unreadable(reason),
        };
        match next {
            Next::Send(messages) => {
                if let Err(e) = send(output, messages) {
                    return Ended::Unwritable(e);
                }
            }
            Next::Exit {
                after_shutdown: true,
            } => return Ended::Clean,
            Next::Exit {
                after_shutdown: false,
            } => return Ended::WithoutShutdown,
        }
    }
}

fn send(output: &mut impl Write, messages: Vec<serde_json::Value>) -> std::io::Result<()> {
    for message in &messages {
        transport::write_frame(output, message)?;
    }
    Ok(())
}
