//! Streams and files on the wire: typed SSE events and JSON lines split across TCP chunks, an
//! error event and a broken connection ending a stream with a typed error, a stream dropped
//! early closing its connection, a stream offered beside JSON, and a 100 MB download written
//! in flat memory. Items are the specs' own examples (valid for their schemas).
#![allow(clippy::unwrap_used)]

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use api_codegen::SpecDir;
use api_runtime::StreamError;
use bytes::Bytes;
use loopback::{Reply, Server};
use serde_json::{Value, json};
use spec_tools::examples;
use workspace_tests::{KEY, assert_no_secret, body_json, spec_dir};

mod form_parts;

/// A valid example of `components.schemas.<name>` in `vendor`'s prepared spec.
fn example(vendor: &str, name: &str) -> Value {
    let prepared = api_codegen::load(&SpecDir::new(spec_dir(vendor))).unwrap();
    let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
    examples::valid(&prepared.doc, &schema)
}

/// A valid example of `vendor`'s operation's JSON request body.
fn request_body(vendor: &str, path: &str, method: &str) -> Value {
    let prepared = api_codegen::load(&SpecDir::new(spec_dir(vendor))).unwrap();
    let pointer = format!("/paths/{}/{method}/requestBody/content/application~1json/schema", path.replace('/', "~1"));
    examples::valid(&prepared.doc, prepared.doc.pointer(&pointer).unwrap())
}

fn sse(data: &Value) -> String {
    format!("data: {data}\n\n")
}

/// The next item of a stream.
async fn next<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

fn perplexity(server: &Server) -> perplexity::Client {
    perplexity::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

fn cartesia(server: &Server) -> cartesia::Client {
    cartesia::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

#[tokio::test]
async fn sse_events_split_across_chunks_arrive_typed_and_in_order() {
    let created = example("perplexity", "ResponseCreatedEvent");
    let mut delta = example("perplexity", "TextDeltaEvent");
    delta["type"] = json!("response.output_text.delta");
    // One stream using the whole wire format: a comment, `event`, `id`, `retry`, a `data`
    // spread over two lines, CRLF line ends, a block with no data, then `[DONE]` and
    // something after it that must never be read.
    let delta_text = delta.to_string();
    let (head, tail) = delta_text.split_at(delta_text.find(',').unwrap() + 1);
    let wire = format!(
        ": keep-alive\n\nevent: response.created\nid: 7\nretry: 1000\n{}data: {head}\ndata: {tail}\r\n\r\nid: 8\n\n{}data: [DONE]\n\n{}",
        sse(&created),
        sse(&delta),
        sse(&json!({"not": "read"}))
    );
    // Every few bytes a chunk of its own, each flushed separately.
    let chunks: Vec<Bytes> = wire.as_bytes().chunks(7).map(Bytes::copy_from_slice).collect();
    let reply = Reply::bytes("text/event-stream", "").paced(chunks, Duration::from_millis(1), false);
    let server = Server::always(reply).await.unwrap();

    let body: perplexity::types::ResponsesRequest =
        serde_json::from_value(request_body("perplexity", "/v1/responses", "post")).unwrap();
    let response = perplexity(&server).create_response().body(body).send_stream().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut events = response.into_inner();
    let mut got = Vec::new();
    while let Some(event) = next(&mut events).await {
        got.push(event.unwrap());
    }
    // Each item as the variant its discriminator names: serde's untagged decode alone would
    // take the first variant that fits, and read the delta as a `response.created` event.
    use perplexity::types::ResponseStreamEvent as Event;
    let created = Event::ResponseCreatedEvent(serde_json::from_value(created).unwrap());
    let delta = Event::TextDeltaEvent(serde_json::from_value(delta).unwrap());
    assert_eq!(got, [created, delta.clone(), delta], "typed, in order, nothing after [DONE]");
    assert_eq!(events.last_event_id(), Some("8"));

    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v1/responses"));
    assert_eq!(request.header("accept"), Some("text/event-stream"), "the stream is what was asked for");
}

#[tokio::test]
async fn the_json_alternative_of_a_streaming_operation_is_a_typed_document() {
    let document = example("perplexity", "ResponsesResponse");
    let server = Server::always(Reply::json(200, document.to_string())).await.unwrap();
    let body: perplexity::types::ResponsesRequest =
        serde_json::from_value(request_body("perplexity", "/v1/responses", "post")).unwrap();
    let response = perplexity(&server).create_response().body(body).send().await.unwrap();
    let expected: perplexity::types::ResponsesResponse = serde_json::from_value(document).unwrap();
    assert_eq!(response.into_inner(), expected);
    assert_eq!(server.single_request().header("accept"), Some("application/json"));
}

#[tokio::test]
async fn an_error_event_ends_the_stream_with_a_typed_error_that_shows_no_secret() {
    let chunk = example("cartesia", "TTSSSEChunkEvent");
    let mut failure = example("cartesia", "TTSSSEErrorEvent");
    failure["message"] = json!(format!("bad key {KEY}"));
    let wire = format!("{}{}{}", sse(&chunk), sse(&failure), sse(&chunk));
    let server = Server::always(Reply::bytes("text/event-stream", wire)).await.unwrap();
    let body: cartesia::types::TtssseRequest =
        serde_json::from_value(request_body("cartesia", "/tts/sse", "post")).unwrap();
    let mut events = cartesia(&server).tts_sse().body(body).send().await.unwrap().into_inner();

    assert!(next(&mut events).await.unwrap().is_ok());
    let error = next(&mut events).await.unwrap().unwrap_err();
    let StreamError::ErrorEvent { items, event, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*items, 1);
    assert!(event.is_some(), "the error event is typed");
    assert_no_secret("the error event", &format!("{error:?} {error}"));
    assert!(next(&mut events).await.is_none(), "nothing after the error");
}

/// Perplexity's chat completions with `stream: true`: the document declares only the JSON
/// answer, the overlay adds the event stream its SDKs read, so `send_stream()` yields typed
/// chunks up to `[DONE]` and `send()` still answers the JSON document. An event the chunk type
/// has no place for (`event: warning`) is passed over, and the stream goes on.
#[tokio::test]
async fn perplexity_chat_completions_stream_typed_chunks() {
    let chunk = |text: &str| {
        json!({"id": "c1", "model": "sonar", "created": 1, "object": "chat.completion.chunk",
            "choices": [{"index": 0, "finish_reason": null,
                "message": {"role": "assistant", "content": text}, "delta": {"role": "assistant", "content": text}}]})
    };
    let warning = "event: warning\ndata: {\"type\":\"warning\",\"detail\":\"tok-secret\"}\n\n";
    let wire = format!("{}{warning}{}data: [DONE]\n\n", sse(&chunk("Hel")), sse(&chunk("lo")));
    let server = Server::always(Reply::bytes("text/event-stream", wire)).await.unwrap();
    let body: perplexity::types::ApiChatCompletionsRequest = serde_json::from_value(
        json!({"model": "sonar", "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
    )
    .unwrap();
    let response = perplexity(&server).chat_completions_chat_completions_post().body(body).send_stream().await.unwrap();
    let mut chunks = response.into_inner();
    let mut deltas = Vec::new();
    while let Some(chunk) = next(&mut chunks).await {
        let chunk = chunk.unwrap();
        deltas.push(serde_json::to_value(&chunk.choices[0].delta).unwrap()["content"].clone());
    }
    assert_eq!(deltas, [json!("Hel"), json!("lo")]);
    assert_eq!(chunks.passed_over(), 1);
    let passed = chunks.last_passed_over().unwrap();
    assert_eq!((passed.event.as_deref(), &passed.value.json()["detail"]), (Some("warning"), &json!("tok-secret")));
    assert!(!format!("{passed:?}").contains("tok-secret"), "{passed:?}");
    let request = server.single_request();
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(body_json(&request)["stream"], json!(true));
}

/// An event type the spec does not list (a `warning` between chunks) is an item of its own
/// (the union's `Unknown`): the stream goes on to its end, as the vendors' SDKs read it.
#[tokio::test]
async fn an_unlisted_event_type_is_an_item_and_the_stream_goes_on() {
    let chunk = example("cartesia", "TTSSSEChunkEvent");
    let done = example("cartesia", "TTSSSEDoneEvent");
    let warning = json!({"type": "warning", "message": "slow down", "context_id": "c1"});
    let wire = format!("{}{}{}{}", sse(&chunk), sse(&warning), sse(&chunk), sse(&done));
    let server = Server::always(Reply::bytes("text/event-stream", wire)).await.unwrap();
    let body: cartesia::types::TtssseRequest =
        serde_json::from_value(request_body("cartesia", "/tts/sse", "post")).unwrap();
    let mut events = cartesia(&server).tts_sse().body(body).send().await.unwrap().into_inner();
    let mut items = Vec::new();
    while let Some(item) = next(&mut events).await {
        items.push(item.unwrap_or_else(|e| panic!("{e:?}")));
    }
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(format!("{:?}", items[1]).contains("Unknown"), "{:?}", items[1]);
    assert_eq!(serde_json::to_value(&items[3]).unwrap()["type"], "done");
}

#[tokio::test]
async fn a_connection_broken_mid_stream_is_a_transport_error_and_is_not_retried() {
    let chunk = example("cartesia", "TTSSSEChunkEvent");
    let chunks = vec![Bytes::from(sse(&chunk)), Bytes::from("data: {\"type\":")];
    let reply = Reply::bytes("text/event-stream", "").paced(chunks, Duration::from_millis(1), true);
    let server = Server::always(reply).await.unwrap();
    let body: cartesia::types::TtssseRequest =
        serde_json::from_value(request_body("cartesia", "/tts/sse", "post")).unwrap();
    let mut events = cartesia(&server).tts_sse().body(body).send().await.unwrap().into_inner();
    assert!(next(&mut events).await.unwrap().is_ok());
    let error = next(&mut events).await.unwrap().unwrap_err();
    assert!(matches!(error, StreamError::Transport { items: 1, .. }), "{error:?}");
    assert!(next(&mut events).await.is_none());
    assert_eq!(server.requests().len(), 1, "a started stream is never sent again");
}

#[tokio::test]
async fn dropping_a_stream_early_closes_its_connection() {
    let chunk = example("cartesia", "TTSSSEChunkEvent");
    // An endless stream: the server only stops when the client hangs up.
    let server = Server::always(Reply::bytes("text/event-stream", sse(&chunk)).repeated(u64::MAX)).await.unwrap();
    let body: cartesia::types::TtssseRequest =
        serde_json::from_value(request_body("cartesia", "/tts/sse", "post")).unwrap();
    let mut events = cartesia(&server).tts_sse().body(body).send().await.unwrap().into_inner();
    for _ in 0..3 {
        next(&mut events).await.unwrap().unwrap();
    }
    drop(events);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after_drop = server.streamed_bytes();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.streamed_bytes(), after_drop, "the server still streams to a dropped client");
}

#[tokio::test]
async fn one_item_larger_than_the_cap_ends_the_stream_but_a_long_stream_does_not() {
    let chunk = example("cartesia", "TTSSSEChunkEvent");
    let event = sse(&chunk);
    let client = |server: &Server| {
        cartesia::Client::builder().api_key(KEY).base_url(server.url()).max_response_bytes(4096).build().unwrap()
    };
    let body: cartesia::types::TtssseRequest =
        serde_json::from_value(request_body("cartesia", "/tts/sse", "post")).unwrap();

    // Many small events, far more bytes in all than the cap.
    let times = 4096 / event.len() as u64 * 4;
    let server = Server::always(Reply::bytes("text/event-stream", event.clone()).repeated(times)).await.unwrap();
    let mut events = client(&server).tts_sse().body(body.clone()).send().await.unwrap().into_inner();
    let mut count = 0;
    while let Some(item) = next(&mut events).await {
        item.unwrap();
        count += 1;
    }
    assert_eq!(count, times);

    // One event that never ends.
    let server =
        Server::always(Reply::bytes("text/event-stream", "data: xxxxxxxxxxxxxxxx").repeated(u64::MAX)).await.unwrap();
    let mut events = client(&server).tts_sse().body(body).send().await.unwrap().into_inner();
    let error = next(&mut events).await.unwrap().unwrap_err();
    assert!(matches!(error, StreamError::TooLarge { limit: 4096, .. }), "{error:?}");
}

#[tokio::test]
async fn json_lines_split_across_chunks_arrive_typed() {
    let prepared = api_codegen::load(&SpecDir::new(spec_dir("vercel"))).unwrap();
    let op = &prepared.doc["paths"]["/v1/projects/{projectId}/deployments/{deploymentId}/runtime-logs"]["get"];
    let schema = &op["responses"]["200"]["content"]["application/stream+json"]["schema"];
    let line = examples::valid(&prepared.doc, schema);
    let wire = format!("{line}\n\n{line}\r\n{line}");
    let chunks: Vec<Bytes> = wire.as_bytes().chunks(5).map(Bytes::copy_from_slice).collect();
    let reply = Reply::bytes("application/stream+json", "").paced(chunks, Duration::from_millis(1), false);
    let server = Server::always(reply).await.unwrap();
    let client = vercel::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let response = client.get_runtime_logs().project_id("prj_1").deployment_id("dpl_1").send().await.unwrap();
    let mut lines = response.into_inner();
    let mut got = Vec::new();
    while let Some(item) = next(&mut lines).await {
        got.push(serde_json::to_value(item.unwrap()).unwrap());
    }
    assert_eq!(got, [line.clone(), line.clone(), line]);
    let request = server.single_request();
    assert_eq!(request.path, "/v1/projects/prj_1/deployments/dpl_1/runtime-logs");
    assert_eq!(request.header("accept"), Some("application/stream+json"));
}

/// Counts what it is given and watches the process's resident memory while it does.
struct Sink {
    written: u64,
    peak_rss: u64,
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

impl tokio::io::AsyncWrite for Sink {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.written += buf.len() as u64;
        if self.written % (4 << 20) < buf.len() as u64 {
            self.peak_rss = self.peak_rss.max(resident_bytes());
        }
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn a_100_mb_download_is_written_in_flat_memory_with_the_spec_s_accept() {
    const CHUNK: usize = 64 * 1024;
    const TOTAL: u64 = 100 * 1024 * 1024;
    let server =
        Server::always(Reply::bytes("audio/wav", vec![7u8; CHUNK]).repeated(TOTAL / CHUNK as u64)).await.unwrap();
    let body: cartesia::types::TtsRequest =
        serde_json::from_value(request_body("cartesia", "/tts/bytes", "post")).unwrap();
    let before = resident_bytes();
    let download = cartesia(&server).tts_bytes().body(body).send().await.unwrap().into_inner();
    let mut sink = Sink { written: 0, peak_rss: 0 };
    let written = download.write_to(&mut sink).await.unwrap();
    assert_eq!((written, sink.written), (TOTAL, TOTAL));
    // Far above any buffer (a chunk is 64 KiB), far below the body.
    let grown = sink.peak_rss.saturating_sub(before);
    assert!(grown < 50 << 20, "resident memory grew by {} MiB while streaming 100 MiB", grown >> 20);
    assert_eq!(server.single_request().header("accept"), Some("audio/wav"));

    // Small bodies can be collected; a cap refuses a larger one.
    let server = Server::always(Reply::bytes("audio/wav", "RIFF....WAVE")).await.unwrap();
    let body: cartesia::types::TtsRequest =
        serde_json::from_value(request_body("cartesia", "/tts/bytes", "post")).unwrap();
    let download = cartesia(&server).tts_bytes().body(body.clone()).send().await.unwrap().into_inner();
    assert_eq!(download.collect(1024).await.unwrap(), Bytes::from_static(b"RIFF....WAVE"));
    let download = cartesia(&server).tts_bytes().body(body).send().await.unwrap().into_inner();
    assert!(matches!(download.collect(4).await, Err(StreamError::TooLarge { limit: 4, .. })));
}

#[tokio::test]
async fn an_upload_is_streamed_from_a_file_with_its_length_and_sent_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upload.bin");
    let content: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    // A 503 with Retry-After would make a replayable POST go again; a streamed body cannot be
    // replayed, so it is sent once.
    let server = Server::always(Reply::json(503, "{}").with_header("retry-after", "0")).await.unwrap();
    let client = vercel::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let body = api_runtime::upload::file_body(&path).await.unwrap();
    let error = client.upload_file().body(body).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a streamed upload is never sent twice");
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v2/files"));
    assert_eq!(request.header("content-type"), Some("application/octet-stream"));
    assert_eq!(request.header("content-length"), Some(content.len().to_string().as_str()));
    assert!(request.body == content, "the file arrived changed");
}

/// A multipart upload with its file read from disk as it is sent: the server reads the parts
/// (multer) and finds the fields, then the clip with its file name, the spec's content type
/// and every byte; the body's length is announced. A form is a stream reqwest cannot replay,
/// so a 503 with Retry-After does not send it twice.
#[tokio::test]
async fn a_voice_clip_uploads_from_a_file_as_a_typed_form_sent_once() {
    use cartesia::forms::{FilePart, VoicesClone};
    use cartesia::types::{SupportedLanguage, VoicesCloneFields};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.wav");
    let content: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let server = Server::always(Reply::json(503, "{}").with_header("retry-after", "0")).await.unwrap();
    let fields = VoicesCloneFields {
        name: "Ann".into(),
        language: SupportedLanguage::Fr,
        description: None,
        base_voice_id: None,
    };
    // `clip` is required: `new` takes it, so a form without it does not compile.
    let form = VoicesClone::new(fields, FilePart::path(&path).await.unwrap());
    let error = cartesia(&server).voices_clone().body(form).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a multipart upload is never sent twice");
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/voices/clone"));
    assert_eq!(request.header("content-length"), Some(request.body.len().to_string().as_str()));
    let content_type = request.header("content-type").unwrap();
    let parts = form_parts::parts(content_type, &request.body).unwrap();
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["language", "name", "clip"]);
    assert_eq!((parts[0].text(), parts[1].text()), ("fr".to_string(), "Ann".to_string()));
    let clip = &parts[2];
    assert_eq!(clip.file_name.as_deref(), Some("clip.wav"));
    assert_eq!(clip.content_type.as_deref(), Some("application/octet-stream"));
    assert!(clip.data == content, "the clip arrived changed");
}

/// A form the caller got wrong fails before anything is sent, saying what is wrong.
#[tokio::test]
async fn an_invalid_file_content_type_fails_before_sending() {
    use cartesia::forms::{FilePart, VoicesClone};
    let server = Server::always(Reply::status(200)).await.unwrap();
    let fields = serde_json::from_value(json!({"name": "Ann", "language": "en"})).unwrap();
    let form = VoicesClone::new(fields, FilePart::bytes("RIFF").content_type("audio wav"));
    let error = cartesia(&server).voices_clone().body(form).send().await.unwrap_err();
    assert!(error.to_string().contains("file part `clip`: content type `audio wav` is not a media type"), "{error}");
    assert!(server.requests().is_empty());
}
