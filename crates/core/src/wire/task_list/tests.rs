//! The scanner against every shape of answer: what surrounds the list, where reads split
//! it, what serde_json would refuse.

use super::*;

const TASK: &str =
    r#"{"task_id":"t\"1}","dataset_id":"d","status":"ready","x":{"y":[1,{"z":"]"}]}}"#;

fn ids(body: &[u8]) -> Result<Vec<String>, StreamError<()>> {
    let mut out = Vec::new();
    stream_dataset_tasks("d", body, |t| {
        out.push(t.task_id);
        Ok(())
    })?;
    Ok(out)
}

fn ids_trickled(body: &[u8]) -> Result<Vec<String>, StreamError<()>> {
    let mut out = Vec::new();
    stream_dataset_tasks("d", Trickle(body), |t| {
        out.push(t.task_id);
        Ok(())
    })?;
    Ok(out)
}

/// A reader that hands out one byte at a time: every split point is exercised.
struct Trickle<'a>(&'a [u8]);
impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.0.split_first() {
            Some((b, rest)) if !out.is_empty() => {
                out[0] = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn finds_every_task_whatever_surrounds_it() {
    let body = format!(
        r#" {{"meta":{{"tasks":[1]}},"note":"a \"tasks\": [","tasks":[ {TASK} , {TASK}],"more":[{{}}]}} "#
    );
    assert_eq!(ids(body.as_bytes()).unwrap(), vec![r#"t"1}"#; 2]);
    let mut n = 0;
    stream_dataset_tasks("d", Trickle(body.as_bytes()), |_| {
        n += 1;
        Ok::<_, ()>(())
    })
    .unwrap();
    assert_eq!(n, 2);
    assert_eq!(ids(br#"{"tasks":[]}"#).unwrap().len(), 0);
}

#[test]
fn refuses_what_is_not_a_complete_task_list() {
    let body = format!(r#"{{"tasks":[{TASK},{TASK}]}}"#);
    for cut in [1, body.len() / 2, body.len() - 1] {
        assert!(
            matches!(ids(&body.as_bytes()[..cut]), Err(StreamError::Malformed(_))),
            "cut at {cut}"
        );
    }
    for bad in [
        &b""[..],
        b"<html>502</html>",
        b"<<garbage>>",
        br#"{"tasks":{}}"#,
        br#"{"tasks":[1,2]}"#,
        br#"{"items":[]}"#,
        br#"{"tasks":[{"task_id":5,"dataset_id":"d","status":"ready"}]}"#,
        br#"{"tasks":[]} trailing"#,
    ] {
        assert!(
            matches!(ids(bad), Err(StreamError::Malformed(_))),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// Answers the fuzz test found taken for a valid (sometimes shorter) list before the
/// scanner checked the grammar around the elements, and answers it refused that
/// serde_json reads as a list. Each in one read and one byte at a time.
#[test]
fn reads_exactly_what_serde_json_reads_as_one_list() {
    let refused = [
        // Ambiguous: serde_json keeps the last list, the scanner took the first.
        format!(r#"{{"tasks":[],"tasks":[{TASK}]}}"#),
        format!(r#"{{"tasks":[{TASK}],"tasks":5}}"#),
        format!(r#"{{"tasks":[{TASK}{TASK}]}}"#),
        format!(r#"{{"tasks":[,{TASK},,]}}"#),
        format!(r#"{{"tasks":[{TASK},]}}"#),
        format!(r#"{{"tasks" [{TASK}]}}"#),
        format!(r#"{{"tasks":[{TASK}]]"#),
        format!(r#"{{"tasks":[{TASK}], garbage}}"#),
        format!(r#"{{"x":[1}},"tasks":[{TASK}]}}"#),
        format!(r#"{{"x":01,"tasks":[{TASK}]}}"#),
        format!(r#"{{"x":tru,"tasks":[{TASK}]}}"#),
        format!(r#"{{"x":"\q","tasks":[{TASK}]}}"#),
        format!(r#"{{"x":"\u12","tasks":[{TASK}]}}"#),
        format!("{{\"x\":\"\u{1}\",\"tasks\":[{TASK}]}}"),
        format!("\u{c}{{\"tasks\":[{TASK}]}}"),
        format!(r#"{{"\ud800":1,"tasks":[{TASK}]}}"#),
    ];
    for body in &refused {
        for result in [ids(body.as_bytes()), ids_trickled(body.as_bytes())] {
            assert!(
                matches!(result, Err(StreamError::Malformed(_))),
                "{body}: {result:?}"
            );
        }
    }
    let mut invalid_utf8 = format!(r#"{{"x":"é","tasks":[{TASK}]}}"#).into_bytes();
    invalid_utf8[6] = 0xff;
    assert!(matches!(ids(&invalid_utf8), Err(StreamError::Malformed(_))));

    for body in [
        format!(r#"{{"t\u0061sks":[{TASK}]}}"#),
        format!(r#"{{"a":{{"tasks":[]}},"tasks":[{TASK}],"b":[-0.5e+7,1E999,true,null]}}"#),
        format!(r#"{{"x":"\ud800 é \"tasks\": [","tasks":[{TASK}]}}"#),
    ] {
        assert_eq!(ids(body.as_bytes()).unwrap(), [r#"t"1}"#], "{body}");
        assert_eq!(
            ids_trickled(body.as_bytes()).unwrap(),
            [r#"t"1}"#],
            "{body}"
        );
    }
}

#[test]
fn an_element_without_its_dataset_takes_the_one_the_path_names() {
    let body = br#"{"tasks":[{"task_id":"a","status":"ready"},{"task_id":"b","dataset_id":"other","status":"ready"}]}"#;
    let mut datasets = Vec::new();
    stream_dataset_tasks("d7", &body[..], |t| {
        datasets.push(t.dataset_id);
        Ok::<_, ()>(())
    })
    .unwrap();
    // The second names its own: the pull refuses a list that mixes datasets.
    assert_eq!(datasets, ["d7", "other"]);
    // Outside a dataset's list (user tasks, an action's answer) the field is required.
    assert!(Task::from_raw(r#"{"task_id":"a","status":"ready"}"#).is_err());
}

#[test]
fn a_refusing_receiver_stops_the_stream() {
    let body = format!(r#"{{"tasks":[{TASK},{TASK}]}}"#);
    let mut seen = 0;
    let result = stream_dataset_tasks("d", body.as_bytes(), |_| {
        seen += 1;
        Err("disk full")
    });
    assert!(matches!(result, Err(StreamError::Sink("disk full"))));
    assert_eq!(seen, 1);
}
