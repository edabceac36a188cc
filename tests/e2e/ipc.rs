//! End to end: what a script in the page can make Rust do. Each call goes
//! through the real window's IPC, as a script injected into the page
//! would send it, and is answered by the real `regulars` binary (built
//! with the `test-switches` feature, see Cargo.toml).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::window::{element, invoke, Answer, Harness};

use regulars::db::settings::BusinessKind;
use regulars::db::store::Store;
use regulars::features::cards;
use regulars::io::setup;
use regulars::records::customers::CustomerInput;

/// A shop with one customer, Ada, made before the window opens.
fn shop_with_ada(data: &Path) {
    let mut store = Store::open_in(data).expect("store");
    setup::start_shop(store.conn_mut(), "Corner Gym", BusinessKind::Gym, false, chrono::Utc::now()).expect("setup");
    let ada = CustomerInput {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        ..Default::default()
    };
    cards::create(store.conn_mut(), &ada, chrono::Utc::now()).expect("ada");
}

fn hits(answer: &Answer) -> usize {
    match answer {
        Answer::Ok(list) => list.as_array().map_or(0, Vec::len),
        other => panic!("the search failed: {other:?}"),
    }
}

/// The day's log files, read as text.
fn logs(data: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(data.join("logs")) else { return String::new() };
    entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_panics_answers_the_page_and_the_next_call_works() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");
    shop_with_ada(data.path());
    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;

    // The command writes a customer in its transaction, then panics.
    let answer = invoke(&driver, "panic_on_purpose", json!({})).await;
    assert!(matches!(answer, Answer::Err(_)), "the page must get an answer, got {answer:?}");
    assert_eq!(answer.message(), "Something went wrong; nothing was changed.");
    // Twice: the writer's lock, poisoned by the first, is taken again.
    assert_eq!(
        invoke(&driver, "panic_on_purpose", json!({})).await.message(),
        "Something went wrong; nothing was changed."
    );

    // Nothing was changed, and reads and writes go on.
    assert_eq!(
        hits(&invoke(&driver, "search", json!({ "query": "Halfway", "limit": 5 })).await),
        0,
        "the transaction rolled back"
    );
    assert_eq!(hits(&invoke(&driver, "search", json!({ "query": "Ada", "limit": 5 })).await), 1);
    let created =
        invoke(&driver, "create_customer", json!({ "input": { "first_name": "Grace", "last_name": "Hopper" } })).await;
    assert!(matches!(created, Answer::Ok(_)), "a change after the panic works: {created:?}");
    assert_eq!(hits(&invoke(&driver, "search", json!({ "query": "Grace", "limit": 5 })).await), 1);

    // The log names the command, and not what it was writing.
    let started = Instant::now();
    while !logs(data.path()).contains("command=panic_on_purpose") {
        assert!(started.elapsed() < Duration::from_secs(10), "the panic is not in the log:\n{}", logs(data.path()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!logs(data.path()).contains("Halfway"), "no customer text in the log");
    driver.quit().await.expect("quit");
}

const OPTIONS: &str = r#"{ "mapping": null, "date_order": null, "on_duplicate": "skip", "choices": {} }"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_cannot_name_a_file_only_choose_one_in_a_dialog() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");
    let files = tempfile::tempdir().expect("temp files folder");
    shop_with_ada(data.path());
    let csv = files.path().join("customers.csv");
    std::fs::write(&csv, "Name,Email\nBo Berg,bo@example.com\n").expect("csv");
    let database = data.path().join("regulars.sqlite3");
    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;
    let options: serde_json::Value = serde_json::from_str(OPTIONS).expect("options");

    // A path from the page is not taken: not to read a file...
    let read = invoke(&driver, "import_preview", json!({ "path": csv, "options": options })).await;
    assert!(matches!(read, Answer::Err(_)), "the import preview read a file the page named: {read:?}");
    // ...nor to write over the live database.
    let written = invoke(&driver, "export_customers", json!({ "path": database })).await;
    assert!(matches!(written, Answer::Err(_)), "an export went where the page said: {written:?}");
    assert_eq!(
        hits(&invoke(&driver, "search", json!({ "query": "Ada", "limit": 5 })).await),
        1,
        "the database is intact"
    );
    // A backup is restored from the list by its name, never a path.
    let restored = invoke(&driver, "restore_backup", json!({ "path": csv })).await;
    assert!(matches!(restored, Answer::Err(_)), "a restore from a path the page named: {restored:?}");
    let climbed = invoke(&driver, "restore_backup", json!({ "fileName": "../regulars.sqlite3" })).await;
    assert!(climbed.message().contains("not in the list"), "{climbed:?}");
    // A made-up token is refused, saying what to do.
    let made_up = invoke(&driver, "import_preview", json!({ "file": "1234-made-up", "options": options })).await;
    assert!(made_up.message().contains("Choose the file again"), "{made_up:?}");

    // The dialog's answer is checked: nothing inside the data folder as a
    // target, whether the database itself or a new file beside it.
    for inside in [database.clone(), data.path().join("copy.sqlite3"), data.path().join("logs").join("x.sqlite3")] {
        harness.answer_next_file_dialog(&inside);
        let refused = invoke(&driver, "choose_file", json!({ "purpose": "backup", "suggestedName": null })).await;
        assert!(refused.message().contains("data folder"), "{}: {refused:?}", inside.display());
    }
    // Nothing to read but a regular file, and not too big.
    let fifo = files.path().join("pipe.csv");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let big = files.path().join("big.csv");
    std::fs::File::create(&big).and_then(|f| f.set_len(201 * 1024 * 1024)).expect("a sparse 201 MB file");
    for (path, says) in [
        (Path::new("/dev/zero"), "not a regular file"),
        (&fifo, "not a regular file"),
        (files.path(), "not a regular file"),
        (&big, "200 MB"),
    ] {
        harness.answer_next_file_dialog(path);
        let refused = invoke(&driver, "choose_file", json!({ "purpose": "import", "suggestedName": null })).await;
        assert!(refused.message().contains(says), "{}: {refused:?}", path.display());
    }

    // A file chosen in the dialog works, through its token, for what it was chosen for only.
    harness.answer_next_file_dialog(&csv);
    let chosen = match invoke(&driver, "choose_file", json!({ "purpose": "import", "suggestedName": null })).await {
        Answer::Ok(chosen) => chosen,
        other => panic!("choosing the CSV failed: {other:?}"),
    };
    assert_eq!(chosen["name"], "customers.csv");
    let token = chosen["token"].as_str().expect("a token").to_string();
    assert!(!token.contains("customers"), "the token is not the path: {token}");
    match invoke(&driver, "import_preview", json!({ "file": token, "options": options })).await {
        Answer::Ok(preview) => assert_eq!(preview["total_rows"], 1),
        other => panic!("the preview of the chosen file failed: {other:?}"),
    }
    let elsewhere = invoke(&driver, "export_customers", json!({ "file": token })).await;
    assert!(
        elsewhere.message().contains("Choose the file again"),
        "an import file used as an export target: {elsewhere:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&csv).expect("csv"),
        "Name,Email\nBo Berg,bo@example.com\n",
        "the CSV is untouched"
    );
    driver.quit().await.expect("quit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_cannot_open_a_link_of_its_own() {
    let work = tempfile::tempdir().expect("temp folder");
    let opened = work.path().join("opened.txt");
    let harness = Harness::start_with_env(&[("REGULARS_OPEN_LOG", &opened)]);
    let data = work.path().join("data");
    shop_with_ada(&data);
    let driver = harness.open_app(&data).await;
    element(&driver, "#search-input").await;

    // Some mail apps attach the file a mailto: link names.
    let attach = format!("mailto:ada@example.com?subject=Hi&attach={}", data.join("regulars.sqlite3").display());
    let refused = invoke(&driver, "open_link", json!({ "url": attach })).await;
    assert!(matches!(refused, Answer::Err(_)), "the page opened a link of its own: {refused:?}");
    // The command that sends a message takes ids, not a link.
    let by_link = invoke(&driver, "ask_review", json!({ "url": attach, "channel": "email" })).await;
    assert!(matches!(by_link, Answer::Err(_)), "{by_link:?}");
    let opened_text = std::fs::read_to_string(&opened).unwrap_or_default();
    assert!(!opened_text.contains("attach"), "opened: {opened_text}");
    driver.quit().await.expect("quit");
}

/// An injected script that sets `location` to a server of its own (with
/// customer data in the address) goes nowhere: only the app's own pages
/// load in the window. A listener on loopback stands in for that server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_in_the_page_cannot_navigate_the_window_away() {
    let harness = Harness::start();
    let data = tempfile::tempdir().expect("temp data folder");
    shop_with_ada(data.path());
    let driver = harness.open_app(data.path()).await;
    element(&driver, "#search-input").await;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    listener.set_nonblocking(true).expect("non-blocking");
    let address =
        format!("http://127.0.0.1:{}/leak?name=Ada%20Lovelace", listener.local_addr().expect("address").port());
    let own = driver
        .execute("return window.location.href", vec![])
        .await
        .expect("script")
        .json()
        .as_str()
        .unwrap_or_default()
        .to_string();
    driver.execute("window.location.href = arguments[0];", vec![json!(address)]).await.expect("script");

    let started = Instant::now();
    let mut reached = false;
    while started.elapsed() < Duration::from_secs(4) {
        if listener.accept().is_ok() {
            reached = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!reached, "the window went to a server of the page's choosing");
    let now = driver
        .execute("return window.location.href", vec![])
        .await
        .expect("script")
        .json()
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(now, own, "the window stays on the app's own page");
    element(&driver, "#search-input").await;
    driver.quit().await.expect("quit");
}
