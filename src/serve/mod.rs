//! `nshed serve FILE`: a local web app to write, train and look at one model. The page
//! (`web/`, built into `web/dist` and embedded here) talks JSON to the routes of
//! [`routes`]; every answer is a library call made by the session's worker thread
//! ([`session`]), converted to JSON ([`view`]). Live training reaches the page as
//! Server-Sent Events. [`guard`] refuses requests for another host or from another
//! origin (DNS rebinding, cross-site requests) and bounds what a request may cost.

mod answers;
mod assets;
mod file;
mod guard;
mod history;
mod intel;
mod routes;
mod session;
mod view;
mod worker;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::cli::output::{note, print_stdout};
use crate::cli::{CliError, Ctx};

/// Options of `nshed serve`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The model file to edit, train and look at; the page writes it back only when you save.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. The default is this machine only; any other address lets
    /// other machines on the network edit FILE and is warned about.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Do not open the page in a browser.
    #[arg(long)]
    pub no_open: bool,
}

/// Runs the server until Ctrl-C (or SIGTERM): loads FILE, listens, prints the address as
/// the first line of standard output and opens it unless `--no-open`.
pub fn run(ctx: &Ctx, args: &ServeArgs) -> Result<(), CliError> {
    if args.file == "-" {
        return Err(CliError::usage(
            "`nshed serve` edits a file, not standard input",
            "give the path of a .nshed file, for example `nshed serve examples/fruit.nshed`",
        ));
    }
    let loaded = file::File::load(&args.file)?;
    if !args.host.is_loopback() {
        note(&format!(
            "warning: listening on {}: anyone who can reach this address can read and change {} \
             and run training on this machine; the default, 127.0.0.1, is this machine only",
            args.host, args.file
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the server: {e}"), None))?;
    runtime.block_on(serve(ctx, args, loaded))
}

async fn serve(ctx: &Ctx, args: &ServeArgs, loaded: file::File) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port))
        .await
        .map_err(|e| {
            CliError::failed(
                format!(
                    "cannot listen on {}:{}: {}",
                    args.host,
                    args.port,
                    nshed::source::io_reason(&e)
                ),
                Some("choose another port with --port N (0 picks a free one)".to_string()),
            )
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| CliError::failed(format!("cannot read the bound address: {e}"), None))?;
    let session = session::Session::start(loaded, ctx.limits);
    let app = routes::router(session.clone(), guard::Served::new(address));
    let url = guard::url_of(address);
    // Ctrl-C and SIGTERM are caught from before the address is printed: whoever reads it
    // may stop the server at once.
    let stop = StopSignal::catch()?;
    print_stdout(&format!("listening on {url}\n"))?;
    if !args.no_open {
        open_browser(&url);
    }
    let streams = session.clone();
    let shutdown = async move {
        stop.wait().await;
        note("stopping: the server is closed (unsaved edits in the page are not written)");
        // The pages' event streams end now: the server waits for open requests to end.
        streams.close_streams();
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    session.shutdown();
    served.map_err(|e| CliError::failed(format!("the server failed: {e}"), None))
}

/// Ctrl-C and SIGTERM, the ways a server is stopped, caught from when it is made.
struct StopSignal {
    #[cfg(unix)]
    signals: (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
}

impl StopSignal {
    fn catch() -> Result<StopSignal, CliError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let caught = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .map_err(|e| CliError::failed(format!("cannot catch Ctrl-C: {e}"), None))?;
            Ok(StopSignal { signals: caught })
        }
        #[cfg(not(unix))]
        Ok(StopSignal {})
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let (mut int, mut term) = self.signals;
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Opens `url` with the desktop's handler; a machine without one just keeps the printed
/// address.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reaped when it ends (it usually hands the address to a running browser).
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(_) => note(&format!(
            "note: open {url} in a browser (`{opener}` is not available)"
        )),
    }
}
