//! `application/x-www-form-urlencoded` bodies and query parameters of an object type
//! (`style: deepObject`, or `form` with a struct's properties), encoded from the value serde
//! makes of the typed argument, as the spec's `encoding` or the parameter's style says.
//!
//! serde_urlencoded (what progenitor sends form bodies with) writes flat values only and fails
//! at run time on an array or a nested object. Here each top-level field is written in its
//! style:
//!
//! - `form`, exploded (OpenAPI's default): `name=value`, an array as the key repeated
//!   (`ids=a&ids=b`), an object as its properties (`key=value`);
//! - `form` not exploded: `ids=a,b`, an object `name=k1,v1,k2,v2`; `spaceDelimited` /
//!   `pipeDelimited` not exploded join array items with `%20` / `|`;
//! - `deepObject`: `name[key]=value` at any depth, array items by index
//!   (`expand[0]=a`): the bracket convention of the SDKs of APIs that use it, which index
//!   arrays at every depth.
//!
//! A field the caller did not set is absent from the serialised value (typify skips unset
//! optional fields), and `null` writes nothing. Integers are written as integers, also an
//! integral float (`2`, not `2.0`). Keys and values are escaped as Go's `QueryEscape` does,
//! `[` and `]` in keys left as they are (readable, and what those SDKs send). A value a style
//! cannot write (an object inside an exploded `form` array) is an [`EncodeError`], never a
//! silently different body.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Number, Value};

/// How a field is serialised (OpenAPI's `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// One field's `encoding` in the spec: the fields not listed are `form`, exploded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub style: Style,
    pub explode: bool,
}

/// Why a value could not be encoded as its style says.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncodeError {
    #[error("the value does not serialise: {0}")]
    Serialize(String),
    #[error("a form body must be an object of fields, not {0}")]
    NotAnObject(&'static str),
    #[error("field `{field}`: {what} cannot be written in style {style}")]
    Unrepresentable { field: String, what: &'static str, style: &'static str },
}

/// The form body of `body`, its fields encoded as `fields` says (see the module documentation).
pub fn encode_body<T: Serialize + ?Sized>(body: &T, fields: &[Field]) -> Result<String, EncodeError> {
    let value = serde_json::to_value(body).map_err(|e| EncodeError::Serialize(e.to_string()))?;
    let Value::Object(object) = value else { return Err(EncodeError::NotAnObject(kind(&value))) };
    let mut pairs = Vec::new();
    for (name, value) in &object {
        let field = fields.iter().find(|f| f.name == name);
        let (style, explode) = field.map_or((Style::Form, true), |f| (f.style, f.explode));
        field_pairs(name, value, style, explode, &mut pairs)?;
    }
    Ok(join(&pairs))
}

/// `key=value&…`, escaped (see the module documentation).
pub fn join(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        escape_into(&mut out, key, true);
        out.push('=');
        escape_into(&mut out, value, false);
    }
    out
}

/// The (unescaped) pairs one field writes in `style`.
pub fn field_pairs(
    name: &str,
    value: &Value,
    style: Style,
    explode: bool,
    out: &mut Vec<(String, String)>,
) -> Result<(), EncodeError> {
    let unrepresentable =
        |what| EncodeError::Unrepresentable { field: name.to_string(), what, style: style_name(style) };
    match (style, value) {
        (_, Value::Null) => {}
        (Style::DeepObject, _) => deep(name.to_string(), value, out),
        (_, Value::Bool(_) | Value::Number(_) | Value::String(_)) => {
            out.push((name.to_string(), scalar_text(value).ok_or_else(|| unrepresentable("a value"))?))
        }
        (_, Value::Array(items)) if explode => {
            for item in items.iter().filter(|item| !item.is_null()) {
                out.push((
                    name.to_string(),
                    scalar_text(item).ok_or_else(|| unrepresentable("an array of arrays or objects"))?,
                ));
            }
        }
        (_, Value::Array(items)) => {
            let texts: Option<Vec<String>> = items.iter().filter(|item| !item.is_null()).map(scalar_text).collect();
            let texts = texts.ok_or_else(|| unrepresentable("an array of arrays or objects"))?;
            if !texts.is_empty() {
                let separator = match style {
                    Style::SpaceDelimited => " ",
                    Style::PipeDelimited => "|",
                    _ => ",",
                };
                out.push((name.to_string(), texts.join(separator)));
            }
        }
        (Style::Form, Value::Object(properties)) => {
            let mut flat = Vec::new();
            for (key, property) in properties.iter().filter(|(_, p)| !p.is_null()) {
                flat.push((
                    key.clone(),
                    scalar_text(property).ok_or_else(|| unrepresentable("a nested object or array"))?,
                ));
            }
            if explode {
                out.extend(flat);
            } else if !flat.is_empty() {
                let joined: Vec<String> = flat.into_iter().flat_map(|(k, v)| [k, v]).collect();
                out.push((name.to_string(), joined.join(",")));
            }
        }
        (_, Value::Object(_)) => return Err(unrepresentable("an object")),
    }
    Ok(())
}

/// `name[key]…=value` for every scalar inside `value`, arrays by index.
fn deep(key: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                deep(format!("{key}[{index}]"), item, out);
            }
        }
        Value::Object(properties) => deep_object(&key, properties, out),
        scalar => {
            if let Some(text) = scalar_text(scalar) {
                out.push((key, text));
            }
        }
    }
}

fn deep_object(key: &str, properties: &Map<String, Value>, out: &mut Vec<(String, String)>) {
    for (property, value) in properties {
        deep(format!("{key}[{property}]"), value, out);
    }
}

/// The text of a scalar; `None` for an array or object.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(number_text(n)),
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// An integer as an integer, an integral float too (`2`, not `2.0`).
fn number_text(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    match n.as_f64() {
        // Below 2^53 every integral float is exactly that integer.
        Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => format!("{}", f as i64),
        Some(f) => format!("{f}"),
        None => n.to_string(),
    }
}

/// Escapes as Go's `url.QueryEscape` (unreserved bytes kept, space as `+`, the rest `%XX`),
/// keeping `[` and `]` in keys.
fn escape_into(out: &mut String, text: &str, key: bool) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            b'[' | b']' if key => out.push(byte as char),
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn style_name(style: Style) -> &'static str {
    match style {
        Style::Form => "form",
        Style::SpaceDelimited => "spaceDelimited",
        Style::PipeDelimited => "pipeDelimited",
        Style::DeepObject => "deepObject",
    }
}

/// A `style: deepObject` query parameter, for `reqwest`'s `query`: the pairs
/// `name[key]=value` of its value (nothing when it is unset). Generated code puts it where
/// progenitor wrote its `QueryParam`, which would write an object's properties without the
/// parameter's name.
pub struct DeepObject<'a, T: ?Sized> {
    name: &'a str,
    value: &'a T,
}

impl<'a, T: ?Sized> DeepObject<'a, T> {
    pub fn new(name: &'a str, value: &'a T) -> Self {
        Self { name, value }
    }

    /// The (unescaped) pairs this parameter sends.
    pub fn pairs(&self) -> Result<Vec<(String, String)>, EncodeError>
    where
        T: Serialize,
    {
        QueryObject::new(self.name, self.value, Style::DeepObject, true).pairs()
    }
}

impl<T: Serialize + ?Sized> Serialize for DeepObject<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let pairs = self.pairs().map_err(serde::ser::Error::custom)?;
        serializer.collect_seq(pairs)
    }
}

/// A query parameter written in `style` (see the module documentation), for `reqwest`'s
/// `query`: a struct's properties in `form` style are `key=value` pairs of their own
/// (exploded, OpenAPI's default) or one `name=k1,v1,k2,v2` (not exploded); unset properties
/// and an unset parameter write nothing. Generated code puts it where progenitor wrote its
/// `QueryParam` for a parameter whose type is a struct, which progenitor cannot take.
pub struct QueryObject<'a, T: ?Sized> {
    name: &'a str,
    value: &'a T,
    style: Style,
    explode: bool,
}

impl<'a, T: ?Sized> QueryObject<'a, T> {
    pub fn new(name: &'a str, value: &'a T, style: Style, explode: bool) -> Self {
        Self { name, value, style, explode }
    }

    /// The (unescaped) pairs this parameter sends.
    pub fn pairs(&self) -> Result<Vec<(String, String)>, EncodeError>
    where
        T: Serialize,
    {
        let value = serde_json::to_value(self.value).map_err(|e| EncodeError::Serialize(e.to_string()))?;
        let mut pairs = Vec::new();
        field_pairs(self.name, &value, self.style, self.explode, &mut pairs)?;
        Ok(pairs)
    }
}

impl<T: Serialize + ?Sized> Serialize for QueryObject<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let pairs = self.pairs().map_err(serde::ser::Error::custom)?;
        serializer.collect_seq(pairs)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const DEEP: Style = Style::DeepObject;

    fn field(name: &'static str, style: Style, explode: bool) -> Field {
        Field { name, style, explode }
    }

    #[test]
    fn deep_objects_nest_with_brackets_and_index_arrays() {
        let body = json!({
            "amount": 2000,
            "metadata": {"order id": "6735", "note": "a&b=c"},
            "expand": ["customer", "invoice.subscription"],
            "line_items": [{"price": "p_1", "quantity": 2}, {"price_data": {"unit_amount": 5, "recurring": {"interval": "month"}}}],
        });
        let fields = [field("metadata", DEEP, true), field("expand", DEEP, true), field("line_items", DEEP, true)];
        assert_eq!(
            encode_body(&body, &fields).unwrap(),
            "amount=2000&metadata[order+id]=6735&metadata[note]=a%26b%3Dc&expand[0]=customer\
             &expand[1]=invoice.subscription&line_items[0][price]=p_1&line_items[0][quantity]=2\
             &line_items[1][price_data][unit_amount]=5&line_items[1][price_data][recurring][interval]=month"
        );
    }

    #[test]
    fn integers_stay_integers_and_floats_keep_their_fraction() {
        let body = json!({"a": 1, "b": -3, "c": 2.0, "d": 0.5, "e": 1e300, "f": u64::MAX, "g": true});
        assert_eq!(
            encode_body(&body, &[]).unwrap(),
            format!("a=1&b=-3&c=2&d=0.5&e={}&f=18446744073709551615&g=true", 1e300_f64)
        );
    }

    #[test]
    fn unset_and_null_fields_write_nothing() {
        #[derive(Serialize)]
        struct Body {
            name: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            description: Option<String>,
            nullable: Option<i64>,
            metadata: Option<Map<String, Value>>,
        }
        let body = Body { name: "x", description: None, nullable: None, metadata: None };
        assert_eq!(encode_body(&body, &[field("metadata", DEEP, true)]).unwrap(), "name=x");
        let nested = json!({"metadata": {"a": null, "b": "1"}, "list": [null, "z"]});
        assert_eq!(encode_body(&nested, &[field("metadata", DEEP, true)]).unwrap(), "metadata[b]=1&list=z");
    }

    #[test]
    fn form_arrays_repeat_the_key_or_join_when_not_exploded() {
        let body = json!({"To": "+15558675310", "StatusCallbackEvent": ["initiated", "ringing"], "ids": [1, 2], "p": ["a", "b"], "s": ["x y", "z"]});
        let fields = [
            field("ids", Style::Form, false),
            field("p", Style::PipeDelimited, false),
            field("s", Style::SpaceDelimited, false),
        ];
        assert_eq!(
            encode_body(&body, &fields).unwrap(),
            "To=%2B15558675310&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&ids=1%2C2&p=a%7Cb&s=x+y+z"
        );
    }

    #[test]
    fn form_objects_write_their_properties_and_refuse_what_they_cannot() {
        let body = json!({"color": {"R": 100, "G": 200}});
        assert_eq!(encode_body(&body, &[]).unwrap(), "R=100&G=200");
        assert_eq!(encode_body(&body, &[field("color", Style::Form, false)]).unwrap(), "color=R%2C100%2CG%2C200");
        let nested = json!({"color": {"R": {"deep": 1}}});
        let err = encode_body(&nested, &[]).unwrap_err();
        assert_eq!(err.to_string(), "field `color`: a nested object or array cannot be written in style form");
        let err = encode_body(&json!({"list": [{"a": 1}]}), &[]).unwrap_err();
        assert!(matches!(err, EncodeError::Unrepresentable { .. }), "{err}");
        assert_eq!(encode_body(&json!([1]), &[]).unwrap_err(), EncodeError::NotAnObject("an array"));
    }

    #[test]
    fn keys_keep_brackets_values_escape_them() {
        let body = json!({"metadata": {"a[b]": "[x]", "ü": "é/?#"}});
        assert_eq!(
            encode_body(&body, &[field("metadata", DEEP, true)]).unwrap(),
            "metadata[a[b]]=%5Bx%5D&metadata[%C3%BC]=%C3%A9%2F%3F%23"
        );
    }

    #[test]
    fn a_deep_object_query_parameter_is_its_pairs_or_its_scalar() {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Created {
            Range {
                #[serde(skip_serializing_if = "Option::is_none")]
                gte: Option<i64>,
                #[serde(skip_serializing_if = "Option::is_none")]
                lt: Option<i64>,
            },
            At(i64),
        }
        let range = Some(Created::Range { gte: Some(1), lt: Some(2) });
        // As generated code sends it: through reqwest's `query`, which escapes the brackets.
        let query = |value: &Option<Created>| {
            let request = reqwest::Client::new().get("http://127.0.0.1/v1/x").query(&DeepObject::new("created", value));
            request.build().unwrap().url().query().map(String::from)
        };
        assert_eq!(query(&range).as_deref(), Some("created%5Bgte%5D=1&created%5Blt%5D=2"));
        assert_eq!(query(&Some(Created::At(5))).as_deref(), Some("created=5"));
        assert_eq!(query(&None), None);
        let pairs = DeepObject::new("created", &range).pairs().unwrap();
        assert_eq!(join(&pairs), "created[gte]=1&created[lt]=2");
    }

    #[test]
    fn a_struct_query_parameter_is_written_in_its_style_and_unset_properties_are_absent() {
        #[derive(Serialize)]
        struct Range {
            #[serde(skip_serializing_if = "Option::is_none")]
            gte: Option<i64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            lt: Option<i64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            tz: Option<String>,
        }
        let range = Some(Range { gte: Some(1), lt: None, tz: Some("a b,c".into()) });
        let query = |param: &QueryObject<'_, Option<Range>>| {
            let request = reqwest::Client::new().get("http://127.0.0.1/v1/x").query(param);
            request.build().unwrap().url().query().map(String::from)
        };
        let form = |explode| QueryObject::new("effective_at", &range, Style::Form, explode);
        assert_eq!(query(&form(true)).as_deref(), Some("gte=1&tz=a+b%2Cc"));
        assert_eq!(query(&form(false)).as_deref(), Some("effective_at=gte%2C1%2Ctz%2Ca+b%2Cc"));
        let deep = QueryObject::new("effective_at", &range, DEEP, true);
        assert_eq!(query(&deep).as_deref(), Some("effective_at%5Bgte%5D=1&effective_at%5Btz%5D=a+b%2Cc"));
        let unset = None;
        for (style, explode) in [(Style::Form, true), (Style::Form, false), (DEEP, true)] {
            assert_eq!(query(&QueryObject::new("effective_at", &unset, style, explode)), None);
        }
        let empty = Some(Range { gte: None, lt: None, tz: None });
        assert_eq!(query(&QueryObject::new("effective_at", &empty, Style::Form, false)), None);
        let nested = json!({"a": {"b": 1}});
        let err = QueryObject::new("filters", &nested, Style::Form, true).pairs().unwrap_err();
        assert_eq!(err.to_string(), "field `filters`: a nested object or array cannot be written in style form");
    }
}
