//! The address of a task in Deepen's web tool (assumption: Deepen documents no such
//! address; see `docs/api-contract.md`, "Opening a task in Deepen"). Built from a
//! template an account may set (`web_task_url` in `account.json`); the default puts the
//! web tool on the API server's origin. Opened only when it stays on the template's host.

use reqwest::Url;

use super::paths::seg;

/// The assumed address of a task, on the API server's origin.
pub const DEFAULT_WEB_TASK_URL: &str =
    "{origin}/workspace/{client_id}/datasets/{dataset_id}/tasks/{task_id}";

/// Why no address could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebUrlError {
    /// The template is not an https address (http only to this machine), or has no
    /// `{task_id}`.
    #[error("`{0}` is not a usable address template (https, with {{task_id}})")]
    BadTemplate(String),
    /// The address would leave the template's host (an id that changes it).
    #[error("the address of task {0} would leave the web tool's host")]
    OffHost(String),
}

/// The web tool's address of `task_id` of `dataset_id`, from `template` (placeholders
/// `{origin}` — the API server's scheme, host and port — `{client_id}`, `{dataset_id}`,
/// `{task_id}`; ids percent-encoded), checked to be https (or http to loopback) and on
/// the template's own host.
pub fn web_task_url(
    template: &str,
    api_server: &Url,
    client_id: &str,
    dataset_id: &str,
    task_id: &str,
) -> Result<Url, WebUrlError> {
    let bad = || WebUrlError::BadTemplate(template.to_string());
    if !template.contains("{task_id}") {
        return Err(bad());
    }
    let origin = api_server.origin().ascii_serialization();
    let with_origin = template.replace("{origin}", &origin);
    // The host the address must stay on: the template's, before any id goes in.
    let host_of = |s: &str| {
        Url::parse(&s.replace(['{', '}'], "x"))
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    let host = host_of(&with_origin).ok_or_else(bad)?;
    let filled = with_origin
        .replace("{client_id}", &seg(client_id))
        .replace("{dataset_id}", &seg(dataset_id))
        .replace("{task_id}", &seg(task_id));
    let url = Url::parse(&filled).map_err(|_| bad())?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(bad()),
    }
    if url.host_str() != Some(host.as_str()) || !url.username().is_empty() {
        return Err(WebUrlError::OffHost(task_id.to_string()));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> Url {
        Url::parse("https://tools.deepen.ai/api/v2/").unwrap()
    }

    #[test]
    fn the_default_address_is_on_the_api_servers_origin_with_ids_encoded() {
        let url = web_task_url(DEFAULT_WEB_TASK_URL, &api(), "c1", "ds 1", "t/../x").unwrap();
        assert_eq!(
            url.as_str(),
            "https://tools.deepen.ai/workspace/c1/datasets/ds%201/tasks/t%2F..%2Fx"
        );
        let local = Url::parse("http://127.0.0.1:8080/api/v2").unwrap();
        let url = web_task_url(DEFAULT_WEB_TASK_URL, &local, "c1", "ds1", "t1").unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/workspace/c1/datasets/ds1/tasks/t1"
        );
    }

    #[test]
    fn an_accounts_own_template_is_used_and_checked() {
        let url = web_task_url(
            "https://app.example.com/t/{task_id}?ds={dataset_id}",
            &api(),
            "c1",
            "ds1",
            "t1",
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://app.example.com/t/t1?ds=ds1");
        for bad in [
            "https://app.example.com/no-task",
            "http://app.example.com/{task_id}",
            "javascript:alert({task_id})",
            "file:///{task_id}",
        ] {
            assert!(
                matches!(
                    web_task_url(bad, &api(), "c1", "ds1", "t1"),
                    Err(WebUrlError::BadTemplate(_))
                ),
                "{bad}"
            );
        }
        // An id cannot move the address to another host.
        assert!(matches!(
            web_task_url(
                "https://{task_id}.example.com/",
                &api(),
                "c1",
                "ds1",
                "evil.com/"
            ),
            Err(WebUrlError::OffHost(_)) | Err(WebUrlError::BadTemplate(_))
        ));
    }
}
