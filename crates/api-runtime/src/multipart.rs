//! `multipart/form-data` request bodies, sent with reqwest's multipart support. A generated
//! client has one typed form per multipart operation (`forms::<Operation>`): the spec's
//! non-file properties as one typed `fields` value, and each file property as a
//! [`FilePart`]. This module encodes such a form ([`encode`]) the way OpenAPI 3.0 says a
//! multipart body is written: a string is a text part, a number or boolean its JSON text, an
//! object a JSON part (`application/json`), an array one part per item under the same name,
//! a null or absent field no part at all; then the file parts, in the spec's order, each
//! with its file name and content type (the spec's `encoding.contentType`, else
//! `application/octet-stream`, unless the caller gives one).
//!
//! A form's body is a stream, so reqwest cannot replay it: a multipart request is never
//! retried.

use std::fmt;
use std::path::Path;

use bytes::Bytes;
use futures_core::Stream;
use reqwest::multipart::{Form, Part};
use serde::Serialize;
use serde_json::Value;

/// One file of a multipart form: its content (bytes, a file read as it is sent, or a
/// stream), and optionally its file name and content type. `Debug` shows neither content nor
/// anything read from it.
pub struct FilePart {
    content: Content,
    file_name: Option<String>,
    content_type: Option<String>,
}

enum Content {
    Bytes(Bytes),
    Stream { body: reqwest::Body, length: Option<u64> },
}

impl FilePart {
    /// A part holding these bytes.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        Self::with(Content::Bytes(bytes.into()))
    }

    /// The file at `path`, read as it is sent (constant memory), its length known in advance
    /// and its file name the path's last component.
    pub async fn path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let file = tokio::fs::File::open(path).await?;
        let length = file.metadata().await?.len();
        let body = crate::upload::stream_body(tokio_util::io::ReaderStream::new(file), Some(length));
        let part = Self::with(Content::Stream { body, length: Some(length) });
        Ok(match path.file_name() {
            Some(name) => part.file_name(name.to_string_lossy()),
            None => part,
        })
    }

    /// Chunks from `stream`; with `length`, the exact number of bytes it yields (the request
    /// then announces its whole length, which some servers require for uploads).
    pub fn stream<S>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    {
        Self::with(Content::Stream { body: crate::upload::stream_body(stream, length), length })
    }

    /// The part's file name (`filename` of its `Content-Disposition`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's content type, instead of the one the spec gives (checked when the form is
    /// encoded: an invalid one makes the call fail before anything is sent).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn with(content: Content) -> Self {
        Self { content, file_name: None, content_type: None }
    }

    /// The length, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.content {
            Content::Bytes(bytes) => Some(bytes.len() as u64),
            Content::Stream { length, .. } => *length,
        }
    }

    /// Whether the part is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    fn into_part(self, name: &str, default_type: &str) -> Result<Part, String> {
        let part = match self.content {
            Content::Bytes(bytes) => {
                let length = bytes.len() as u64;
                Part::stream_with_length(bytes, length)
            }
            Content::Stream { body, length: Some(length) } => Part::stream_with_length(body, length),
            Content::Stream { body, length: None } => Part::stream(body),
        };
        let part = match self.file_name {
            Some(file_name) => part.file_name(file_name),
            None => part,
        };
        let content_type = self.content_type.as_deref().unwrap_or(default_type);
        part.mime_str(content_type)
            .map_err(|_| format!("file part `{name}`: content type `{content_type}` is not a media type"))
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.content {
            Content::Bytes(_) => "bytes",
            Content::Stream { .. } => "stream",
        };
        f.debug_struct("FilePart")
            .field("content", &kind)
            .field("length", &self.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// One file property of a form, as the spec declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSlot {
    /// The part's name on the wire (the property's name).
    pub name: &'static str,
    /// The spec lists the property as required.
    pub required: bool,
    /// An array of files: any number of parts of this name.
    pub multiple: bool,
    /// The content type a part gets unless its [`FilePart`] names one.
    pub content_type: &'static str,
}

/// A form's file parts by their names on the wire, in the order they were added.
#[derive(Debug, Default)]
pub struct Files(Vec<(&'static str, FilePart)>);

impl Files {
    /// Adds one part named `name`.
    pub fn push(&mut self, name: &'static str, part: FilePart) {
        self.0.push((name, part));
    }

    /// Adds the part named `name`, if there is one.
    pub fn push_optional(&mut self, name: &'static str, part: Option<FilePart>) {
        self.0.extend(part.map(|part| (name, part)));
    }

    /// Adds every part of `parts`, each named `name`.
    pub fn extend(&mut self, name: &'static str, parts: Vec<FilePart>) {
        self.0.extend(parts.into_iter().map(|part| (name, part)));
    }

    /// The one part named `name`.
    pub fn take_one(&mut self, name: &str) -> Result<FilePart, String> {
        self.take_optional(name).ok_or_else(|| format!("the file part `{name}` is required"))
    }

    /// The first part named `name`, if any.
    pub fn take_optional(&mut self, name: &str) -> Option<FilePart> {
        let index = self.0.iter().position(|(n, _)| *n == name)?;
        Some(self.0.remove(index).1)
    }

    /// Every part named `name`.
    pub fn take_all(&mut self, name: &str) -> Vec<FilePart> {
        let (taken, kept) = std::mem::take(&mut self.0).into_iter().partition(|(n, _)| *n == name);
        self.0 = kept;
        taken.into_iter().map(|(_, part)| part).collect()
    }
}

/// A generated multipart form: its typed fields and its file parts ([`FilePart`]s named as
/// [`Self::FILES`] declares).
pub trait MultipartForm: Sized {
    /// The spec's non-file properties (`Deserialize` too with the `deserialize` feature, which
    /// the dispatcher's JSON arguments need).
    type Fields: Serialize;
    /// The spec's file properties, in its order.
    const FILES: &'static [FileSlot];
    /// Object fields sent as one part per property, `field[property]` (the spec's `encoding`
    /// gives them `style: deepObject`) instead of one JSON part.
    const DEEP_OBJECTS: &'static [&'static str] = &[];

    /// The fields, and the file parts by name.
    fn into_parts(self) -> (Self::Fields, Files);

    /// The form from its fields and file parts; fails if a required part is missing.
    fn from_parts(fields: Self::Fields, files: Files) -> Result<Self, String>;
}

/// The multipart body of `form`: the fields (spec order), then the file parts.
pub fn encode<F: MultipartForm>(form: F) -> Result<Form, String> {
    let (fields, mut files) = form.into_parts();
    // serde's message is left out: it may quote a value, which may be a secret.
    let fields = serde_json::to_value(&fields).map_err(|_| "the form's fields do not serialise".to_string())?;
    let mut body = Form::new();
    match fields {
        Value::Object(fields) => {
            for (name, value) in fields {
                body = match value {
                    Value::Object(object) if F::DEEP_OBJECTS.contains(&name.as_str()) => {
                        deep_object(body, &name, object)
                    }
                    value => field(body, name, value),
                };
            }
        }
        Value::Null => {}
        _ => return Err("the form's fields are not an object".into()),
    }
    for slot in F::FILES {
        for part in files.take_all(slot.name) {
            body = body.part(slot.name, part.into_part(slot.name, slot.content_type)?);
        }
    }
    match files.0.first() {
        Some((name, _)) => Err(format!("the form has no file part `{name}`")),
        None => Ok(body),
    }
}

/// An object as one part per property, `name[property]`, nested objects likewise.
fn deep_object(form: Form, name: &str, object: serde_json::Map<String, Value>) -> Form {
    object.into_iter().fold(form, |form, (key, value)| {
        let name = format!("{name}[{key}]");
        match value {
            Value::Object(inner) => deep_object(form, &name, inner),
            value => field(form, name, value),
        }
    })
}

/// One field as its parts: text, JSON, one per array item, or none for null.
fn field(form: Form, name: String, value: Value) -> Form {
    match value {
        Value::Null => form,
        Value::String(text) => form.text(name, text),
        Value::Bool(_) | Value::Number(_) => form.text(name, value.to_string()),
        Value::Array(items) => items.into_iter().fold(form, |form, item| field(form, name.clone(), item)),
        Value::Object(_) => {
            let json = Part::text(value.to_string());
            // A constant, valid media type: `mime_str` cannot fail on it.
            match json.mime_str("application/json") {
                Ok(part) => form.part(name, part),
                Err(_) => form.text(name, value.to_string()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Upload {
        fields: Value,
        clip: FilePart,
        extra: Vec<FilePart>,
    }

    impl MultipartForm for Upload {
        type Fields = Value;
        const FILES: &'static [FileSlot] = &[
            FileSlot { name: "clip", required: true, multiple: false, content_type: "audio/wav" },
            FileSlot { name: "extra", required: false, multiple: true, content_type: "application/octet-stream" },
        ];
        const DEEP_OBJECTS: &'static [&'static str] = &["format"];
        fn into_parts(self) -> (Value, Files) {
            let mut files = Files::default();
            files.push("clip", self.clip);
            files.extend("extra", self.extra);
            (self.fields, files)
        }
        fn from_parts(fields: Value, mut files: Files) -> Result<Self, String> {
            Ok(Self { fields, clip: files.take_one("clip")?, extra: files.take_all("extra") })
        }
    }

    async fn body_of(form: Form) -> (String, String) {
        let boundary = form.boundary().to_string();
        let mut stream = Box::pin(form.into_stream());
        let mut out = Vec::new();
        while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            out.extend_from_slice(&chunk.unwrap());
        }
        (boundary, String::from_utf8(out).unwrap())
    }

    #[tokio::test]
    async fn fields_then_files_each_as_openapi_says() {
        let form = Upload {
            fields: serde_json::json!({"name": "n", "n": 3, "gone": null, "tags[]": ["a", "b"], "meta": {"k": 1},
                "format": {"container": "wav", "rate": 8000, "bits": null, "inner": {"x": true}}}),
            clip: FilePart::bytes(&b"RIFF"[..]).file_name("a.wav"),
            extra: vec![FilePart::bytes(&b"x"[..]).content_type("text/plain")],
        };
        let (boundary, body) = body_of(encode(form).unwrap()).await;
        let parts: Vec<&str> = body.split(&format!("--{boundary}")).filter(|p| p.len() > 4).collect();
        assert_eq!(parts.len(), 10, "{body}");
        assert!(parts[0].contains("name=\"name\"\r\n\r\nn\r\n"), "{}", parts[0]);
        assert!(parts[1].contains("name=\"n\"\r\n\r\n3\r\n"), "{}", parts[1]);
        assert!(parts[2].contains("name=\"tags[]\"\r\n\r\na\r\n") && parts[3].contains("\r\n\r\nb\r\n"));
        assert!(parts[4].contains("Content-Type: application/json\r\n\r\n{\"k\":1}"), "{}", parts[4]);
        assert!(parts[5].contains("name=\"format[container]\"\r\n\r\nwav\r\n"), "{}", parts[5]);
        assert!(parts[6].contains("name=\"format[rate]\"\r\n\r\n8000\r\n"), "{}", parts[6]);
        assert!(parts[7].contains("name=\"format[inner][x]\"\r\n\r\ntrue\r\n"), "{}", parts[7]);
        assert!(parts[8].contains("name=\"clip\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF"));
        assert!(parts[9].contains("name=\"extra\"\r\nContent-Type: text/plain\r\n\r\nx"), "{}", parts[9]);
        assert!(!body.contains("gone"));
    }

    #[test]
    fn a_bad_content_type_and_a_missing_part_are_errors_and_debug_shows_no_content() {
        let part = FilePart::bytes(&b"secret audio"[..]).content_type("not a type");
        assert!(!format!("{part:?}").contains("secret"), "{part:?}");
        let form = Upload { fields: Value::Null, clip: part, extra: vec![] };
        assert_eq!(encode(form).unwrap_err(), "file part `clip`: content type `not a type` is not a media type");
        let err = Upload::from_parts(Value::Null, Files::default()).unwrap_err();
        assert_eq!(err, "the file part `clip` is required");
    }
}
