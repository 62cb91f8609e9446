//! The token in the real OS credential store (Secret Service on Linux). CI runs this inside
//! `dbus-run-session` with an unlocked gnome-keyring and sets `DTASKS_REQUIRE_KEYRING=1`,
//! so there it must pass; on a machine with no session bus it says why it skips.

use dtasks_core::Account;
use dtasks_core::credentials::{self, CredentialError, TokenSource};
use dtasks_core::sensitive::Sensitive;

#[test]
fn token_round_trips_through_the_os_credential_store() {
    let required = std::env::var("DTASKS_REQUIRE_KEYRING").is_ok_and(|v| v == "1");
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !required {
        eprintln!("skipped: no D-Bus session (CI runs this against a real gnome-keyring)");
        return;
    }
    assert!(
        std::env::var_os(credentials::TOKEN_ENV).is_none(),
        "unset {} to run this test",
        credentials::TOKEN_ENV
    );
    let unique = format!("c{}", std::process::id());
    let account = Account::new(
        "https://tools.deepen.ai/api/v2",
        &unique,
        "tester@example.com",
    )
    .unwrap();

    assert!(matches!(
        credentials::token_for(&account),
        Err(CredentialError::Missing { .. })
    ));
    let token = Sensitive::new(format!("tok-{unique}-secret"));
    credentials::store_token(&account, &token).expect("the store takes the token");
    let (read, source) = credentials::token_for(&account).unwrap();
    assert_eq!(
        (read.expose(), source),
        (token.expose(), TokenSource::CredentialStore)
    );

    // It is in the real store, where other programs (secret-tool) find it too.
    if let Ok(out) = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", "deepen-tasks"])
        .output()
    {
        let listing = String::from_utf8_lossy(&out.stdout);
        assert!(
            listing.contains(&unique),
            "secret-tool does not list it: {listing}"
        );
    }

    let other = Account::new(
        "https://tools.deepen.ai/api/v2",
        &unique,
        "someone.else@example.com",
    )
    .unwrap();
    assert!(
        matches!(
            credentials::token_for(&other),
            Err(CredentialError::Missing { .. })
        ),
        "one token per account"
    );
    assert!(matches!(
        credentials::store_token(&account, &Sensitive::new("  ".into())),
        Err(CredentialError::Empty)
    ));

    credentials::forget_token(&account).unwrap();
    credentials::forget_token(&account).expect("forgetting twice is fine");

    // A token an older version kept under its key is found, and moved to the current one.
    let old = Sensitive::new(format!("tok-{unique}-old"));
    credentials::store_token_under_legacy_key(&account, &old).unwrap();
    let (read, _) = credentials::token_for(&account).unwrap();
    assert_eq!(read.expose(), old.expose());
    credentials::forget_token(&account).unwrap();
    assert!(matches!(
        credentials::token_for(&account),
        Err(CredentialError::Missing { .. })
    ));
    let err = credentials::token_for(&account).unwrap_err();
    assert!(
        err.to_string().contains("DEEPEN_TOKEN"),
        "the message offers the alternative: {err}"
    );
}
