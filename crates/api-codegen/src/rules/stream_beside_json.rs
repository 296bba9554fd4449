//! `stream-beside-json`: a success response that offers a stream (`text/event-stream`, JSON
//! lines) beside a JSON document. progenitor reads one success body, so emission gives it the
//! stream alone (it reads the bytes); the generated `send` decodes the JSON document and
//! `send_stream` streams the items. The document is unchanged: emission reads the operation's
//! success body from the plan ([`crate::plan::OperationPlan::success`]); this rule reports it.

use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::doc::media::{SuccessBody, success_body};

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    for op in Spec::new(doc).operations() {
        if let SuccessBody::Events { media_type, json: Some(json), .. } = success_body(doc, op.node) {
            places.record(
                op.pointer,
                format!(
                    "success offers `{media_type}` beside JSON `{json}`: `send` decodes the JSON, `send_stream` streams"
                ),
            );
        }
    }
}
