//! Messages between the thread that reads the client and the thread that answers it.
//!
//! The reader parses each message as it arrives and queues it; the server takes them in
//! order. The queue is bounded: while it holds [`MAX_QUEUED_BYTES`] of messages the
//! reader waits (and so does the client's writing), so a client that writes faster than
//! the server answers cannot make the server hold more than that. A `didChange` that
//! follows another `didChange` of the same document still waiting in the queue replaces
//! it: each carries the whole text, so only the latest version of a burst of edits is
//! ever analysed.

use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::message::{self, Incoming};
use super::transport::{Frame, FrameReader};

/// Bytes of message bodies the queue holds before the reader waits (one message of any
/// allowed size is always let in).
pub const MAX_QUEUED_BYTES: usize = 32 << 20;

/// Why the client's messages ended.
#[derive(Debug)]
pub enum InputEnd {
    /// The stream closed.
    Closed,
    /// A header made the rest of the stream unreadable.
    Unreadable(String),
}

/// What the server takes from the queue.
#[derive(Debug)]
pub enum Item {
    Message(Incoming),
    End(InputEnd),
}

#[derive(Default)]
struct State {
    messages: VecDeque<(Incoming, usize)>,
    bytes: usize,
    end: Option<InputEnd>,
    /// The server stopped taking messages: the reader stops too.
    server_gone: bool,
}

/// The queue between the reader and the server.
#[derive(Default)]
pub struct Queue {
    state: Mutex<State>,
    /// Signalled when a message or the end arrives.
    filled: Condvar,
    /// Signalled when the server takes a message or stops.
    drained: Condvar,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock is held leaves the queue's data whole (every change is
        // one push or pop), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `message` (`size`: its body's length), after a `didChange` of the same
    /// document it replaces. Waits while the queue is full; `false` when the server
    /// has stopped.
    pub fn push(&self, message: Incoming, size: usize) -> bool {
        let mut state = self.lock();
        while !state.server_gone
            && !state.messages.is_empty()
            && state.bytes + size > MAX_QUEUED_BYTES
        {
            // A didChange that replaces the last one never needs room.
            if replaces_last(&state, &message) {
                break;
            }
            state = self.drained.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.server_gone {
            return false;
        }
        if replaces_last(&state, &message) {
            if let Some((_, old)) = state.messages.pop_back() {
                state.bytes -= old;
            }
        }
        state.bytes += size;
        state.messages.push_back((message, size));
        self.filled.notify_one();
        true
    }

    /// Ends the queue: once its messages are taken, [`Queue::pop`] gives `end`.
    pub fn close(&self, end: InputEnd) {
        let mut state = self.lock();
        state.end = Some(end);
        self.filled.notify_one();
    }

    /// The next message, waiting for one; the end once the input has ended.
    pub fn pop(&self) -> Item {
        let mut state = self.lock();
        loop {
            if let Some((message, size)) = state.messages.pop_front() {
                state.bytes -= size;
                self.drained.notify_one();
                return Item::Message(message);
            }
            if let Some(end) = state.end.take() {
                return Item::End(end);
            }
            state = self.filled.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Whether no message is waiting (the server is idle: time to analyse and publish).
    pub fn is_empty(&self) -> bool {
        self.lock().messages.is_empty()
    }

    /// Says the server takes no more messages: a waiting reader stops.
    pub fn server_gone(&self) {
        self.lock().server_gone = true;
        self.drained.notify_all();
    }
}

fn replaces_last(state: &State, message: &Incoming) -> bool {
    match (message.changed_document(), state.messages.back()) {
        (Some(uri), Some((last, _))) => last.changed_document() == Some(uri),
        _ => false,
    }
}

/// Reads messages off `input` into `queue` until the input ends, a header is unreadable,
/// the client says `exit`, or the server stops.
pub fn read_into(input: impl BufRead, queue: &Arc<Queue>, limit: u64) {
    let mut frames = FrameReader::with_limit(input, limit);
    loop {
        let (message, size) = match frames.next_frame() {
            Ok(Some(Frame::Body(body))) => (message::parse(&body), body.len()),
            Ok(Some(Frame::TooLarge { length })) => (
                Incoming::Invalid {
                    id: serde_json::Value::Null,
                    code: message::code::INVALID_REQUEST,
                    message: format!(
                        "a message of {length} bytes is larger than the {limit} bytes \
                         nshed lsp reads; it is skipped"
                    ),
                },
                0,
            ),
            Ok(None) => return queue.close(InputEnd::Closed),
            Err(e) => return queue.close(InputEnd::Unreadable(e.to_string())),
        };
        let exit = matches!(&message, Incoming::Notification { method, .. } if method == "exit");
        if !queue.push(message, size) || exit {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(uri: &str, text: &str) -> Incoming {
        Incoming::Notification {
            method: "textDocument/didChange".into(),
            params: json!({ "textDocument": { "uri": uri }, "contentChanges": [{ "text": text }] }),
        }
    }

    fn text_of(item: Item) -> String {
        match item {
            Item::Message(Incoming::Notification { params, .. }) => params["contentChanges"][0]
                ["text"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_burst_of_changes_to_one_document_keeps_the_last() {
        let queue = Queue::default();
        for i in 0..100 {
            queue.push(change("a", &i.to_string()), 10);
        }
        queue.push(change("b", "b1"), 10);
        queue.push(change("b", "b2"), 10);
        let hover = Incoming::Request {
            id: json!(1),
            method: "textDocument/hover".into(),
            params: json!({}),
        };
        queue.push(hover.clone(), 10);
        // After a request, a change is queued anew: the request was about the text before.
        queue.push(change("b", "b3"), 10);
        queue.close(InputEnd::Closed);
        assert_eq!(text_of(queue.pop()), "99");
        assert_eq!(text_of(queue.pop()), "b2");
        assert!(matches!(queue.pop(), Item::Message(m) if m == hover));
        assert_eq!(text_of(queue.pop()), "b3");
        assert!(matches!(queue.pop(), Item::End(InputEnd::Closed)));
    }

    #[test]
    fn a_full_queue_makes_the_reader_wait_until_the_server_takes_a_message() {
        let queue = Arc::new(Queue::default());
        let request = |id: i64| Incoming::Request {
            id: json!(id),
            method: "m".into(),
            params: json!({}),
        };
        queue.push(request(0), MAX_QUEUED_BYTES);
        let writer = {
            let queue = Arc::clone(&queue);
            std::thread::spawn(move || queue.push(request(1), 1))
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!writer.is_finished(), "the second push waits for room");
        assert!(matches!(queue.pop(), Item::Message(Incoming::Request { id, .. }) if id == 0));
        assert_eq!(writer.join().ok(), Some(true));
        assert!(matches!(queue.pop(), Item::Message(Incoming::Request { id, .. }) if id == 1));
        queue.push(request(2), MAX_QUEUED_BYTES);
        queue.server_gone();
        assert!(!queue.push(request(3), 1), "a stopped server takes nothing");
    }
}
