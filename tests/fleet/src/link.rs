//! One client's network link: a TCP proxy on 127.0.0.1 in front of the emulator that can
//! be cut. While it is down every open connection is torn down at once and new ones are
//! closed as soon as they are accepted — to the client a request that went out and never
//! came back, the hardest case for exactly-once.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A link that can be cut and restored.
pub struct Link {
    addr: SocketAddr,
    up: watch::Sender<bool>,
    /// Times the link went down.
    pub cuts: Arc<AtomicU64>,
}

impl Link {
    /// A link to `upstream`, up.
    pub async fn open(upstream: SocketAddr) -> std::io::Result<Link> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (up, watching) = watch::channel(true);
        tokio::spawn(accept(listener, upstream, watching));
        Ok(Link {
            addr,
            up,
            cuts: Arc::default(),
        })
    }

    /// The API base to give the client.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.addr)
    }

    /// Cuts the link (or restores it).
    pub fn set_up(&self, up: bool) {
        if !up && *self.up.borrow() {
            self.cuts.fetch_add(1, Ordering::Relaxed);
        }
        self.up.send_replace(up);
    }
}

async fn accept(listener: TcpListener, upstream: SocketAddr, up: watch::Receiver<bool>) {
    while let Ok((inbound, _)) = listener.accept().await {
        if !*up.borrow() {
            drop(inbound);
            continue;
        }
        let Ok(outbound) = TcpStream::connect(upstream).await else {
            continue;
        };
        tokio::spawn(splice(inbound, outbound, up.clone()));
    }
}

/// Copies both ways until either side closes or the link goes down.
async fn splice(inbound: TcpStream, outbound: TcpStream, mut up: watch::Receiver<bool>) {
    let (ri, wi) = inbound.into_split();
    let (ro, wo) = outbound.into_split();
    let copying = async {
        tokio::join!(copy(ri, wo), copy(ro, wi));
    };
    tokio::select! {
        _ = copying => {}
        _ = up.wait_for(|up| !*up) => {}
    }
}

async fn copy(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf) {
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}
