//! The listener: binds 127.0.0.1, serves each connection with hyper's HTTP/1 and the
//! axum router, and gives every request a `KillSwitch` so that a fault can close its
//! connection without a response. `RunningEmulator` stops it (explicitly, or on drop).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::control::{Control, Emulator};

/// Closes the connection a request came in on: the request's handler notifies, the
/// connection task drops the connection (no response is written).
#[derive(Clone, Debug, Default)]
pub(crate) struct KillSwitch(pub Arc<Notify>);

impl Emulator {
    /// Binds `127.0.0.1:port` (0 = any free port) and serves in a spawned task: the
    /// Deepen API and the `/_emulator/` control API (tests, the CLI emulator).
    pub async fn serve(self, port: u16) -> anyhow::Result<RunningEmulator> {
        self.serve_with(port, false).await
    }

    /// As [`Emulator::serve`], but the Deepen API alone, answering only requests addressed
    /// to this listener (the app's demo: nothing another program could steer).
    pub async fn serve_api_only(self, port: u16) -> anyhow::Result<RunningEmulator> {
        self.serve_with(port, true).await
    }

    async fn serve_with(self, port: u16, api_only: bool) -> anyhow::Result<RunningEmulator> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let control = self.control();
        let router = if api_only {
            crate::http::api_only_router(control.clone(), addr.port())
        } else {
            crate::http::router(control.clone())
        };
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, router, stopped));
        tracing::info!(%addr, "deepen emulator listening");
        Ok(RunningEmulator {
            addr,
            control,
            stop,
            task: Some(task),
        })
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, router.clone(), stopped.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            },
            _ = stopped.changed() => break,
        }
    }
}

async fn serve_connection(stream: TcpStream, router: Router, mut stopped: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let kill = KillSwitch::default();
    let killed = kill.0.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(kill.clone());
        let mut router = router.clone();
        async move { tower_service::Service::call(&mut router, req).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        // Like axum::serve: idle keep-alive connections are never timed out by the server,
        // so a client's pooled connection is not closed under it at random.
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = conn => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = killed.notified() => tracing::debug!("connection dropped by a fault"),
        _ = stopped.changed() => {}
    }
}

/// A serving emulator. Dropping it stops the server, like `shutdown`.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    control: Control,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT/api/v2`
    pub fn base_url(&self) -> String {
        format!("{}/api/v2", self.root_url())
    }

    /// `http://127.0.0.1:PORT`
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// Stops accepting, closes every open connection and waits for the listener to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
