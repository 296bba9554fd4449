//! Spec text is documentation, never code.
//!
//! Descriptions, summaries and titles reach the generated file as `#[doc = "…"]` attributes
//! (progenitor's and typify's). Two layers keep them inert:
//!
//! 1. The generated items are `#[cfg(not(doctest))]` (see `generate::crate_root`), so
//!    rustdoc's doctest collection never sees them at all, whatever rustdoc's own Markdown and
//!    whitespace handling makes of a description.
//! 2. Every doc string is rewritten here so that what `cargo doc` renders holds no Rust code
//!    block and nothing that breaks the page or the source: each code block (fenced or
//!    indented) becomes a ```` ```text ```` fence, raw HTML is escaped (it would reach the
//!    page as it is), and characters rustc rejects in a comment (a bare carriage return,
//!    bidirectional overrides) are dropped. Links stay: rustdoc resolves `[Name]` as an
//!    intra-doc link, and one that resolves to nothing is a warning, not a broken page.
//!
//! The Markdown is read by pulldown-cmark with rustdoc's options, so both agree on where the
//! code blocks are. When a rewrite would not converge, the whole text becomes one `text` block.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use syn::visit_mut::VisitMut;

/// The only code-block language a generated doc may use.
pub const CODE_LANGUAGE: &str = "text";

/// Rewrites every `#[doc = "…"]` in `file` with [`safe_markdown`].
pub fn sanitize(file: &mut syn::File) {
    DocRewriter.visit_file_mut(file);
}

struct DocRewriter;

impl VisitMut for DocRewriter {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if let Some(lit) = doc_literal_mut(attr) {
            let text = lit.value();
            let safe = safe_markdown(&text);
            if safe != text {
                *lit = syn::LitStr::new(&safe, lit.span());
            }
        }
    }
}

/// The string of a `#[doc = "…"]` attribute.
pub fn doc_literal(attr: &syn::Attribute) -> Option<&syn::LitStr> {
    match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn doc_literal_mut(attr: &mut syn::Attribute) -> Option<&mut syn::LitStr> {
    match &mut attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &mut nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// rustdoc's Markdown options (`main_body_opts` in librustdoc).
pub fn rustdoc_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// What in a Markdown text is unsafe for a generated doc comment, if anything.
pub fn problem(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|c| forbidden_char(*c)) {
        return Some(format!("character {:?}", c));
    }
    for event in Parser::new_ext(text, rustdoc_options()) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == CODE_LANGUAGE => {}
            Event::Start(Tag::CodeBlock(kind)) => return Some(format!("code block {kind:?}")),
            Event::Html(html) | Event::InlineHtml(html) => return Some(format!("raw HTML {html:?}")),
            _ => {}
        }
    }
    None
}

/// `text` rewritten so that rustdoc renders it as prose: see the module documentation.
pub fn safe_markdown(text: &str) -> String {
    let mut text: String = text.replace("\r\n", "\n").replace('\r', "\n");
    text.retain(|c| !forbidden_char(c));
    for _ in 0..8 {
        match edits(&text) {
            Some(edits) if edits.is_empty() => return text,
            Some(edits) => apply(&mut text, edits),
            None => break,
        }
    }
    if problem(&text).is_none() {
        return text;
    }
    fence(&text)
}

/// Characters rustc refuses in a doc comment (a lone `\r`, the bidi controls of the
/// deny-by-default `text_direction_codepoint_in_comment` lint) and other control characters.
fn forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// One replacement of `range` in the text.
struct Edit {
    range: Range<usize>,
    with: String,
}

/// The edits that make `text` safe, or `None` when only the whole-text fallback can.
fn edits(text: &str) -> Option<Vec<Edit>> {
    let parser = Parser::new_ext(text, rustdoc_options());
    let mut out = Vec::new();
    let mut containers = 0usize;
    let mut indented: Option<(Range<usize>, String)> = None;
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_)) => containers += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::FootnoteDefinition) => {
                containers = containers.saturating_sub(1)
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang != CODE_LANGUAGE => {
                out.push(relabel_fence(text, range.start)?);
            }
            // Rewritten in place only at the top level: inside a list or quote the lines carry
            // container prefixes that a new fence would need too.
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) if containers == 0 => {
                indented = Some((range, String::new()));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => return None,
            Event::Text(code) if indented.is_some() => {
                if let Some((_, content)) = indented.as_mut() {
                    content.push_str(&code);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((range, content)) = indented.take() {
                    out.push(indented_to_fence(text, range, &content)?);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                out.push(Edit { range: range.clone(), with: text[range].replace('<', "&lt;") });
            }
            _ => {}
        }
    }
    Some(out)
}

/// Replaces the info string of the fence opening at (or after indentation from) `start`.
fn relabel_fence(text: &str, start: usize) -> Option<Edit> {
    let line = &text[start..];
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let marker = line[indent..].chars().next().filter(|c| *c == '`' || *c == '~')?;
    let fence_len = line[indent..].len() - line[indent..].trim_start_matches(marker).len();
    let info_start = start + indent + fence_len;
    let info_end = text[info_start..].find('\n').map_or(text.len(), |i| info_start + i);
    Some(Edit { range: info_start..info_end, with: CODE_LANGUAGE.into() })
}

/// A top-level indented block, from the start of its first line, as a `text` fence.
fn indented_to_fence(text: &str, range: Range<usize>, content: &str) -> Option<Edit> {
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..range.start].chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let mut with = fence(content.strip_suffix('\n').unwrap_or(content));
    if text[..range.end].ends_with('\n') {
        with.push('\n');
    }
    Some(Edit { range: line_start..range.end, with })
}

/// `content` as one `text` fence, longer than any backtick run inside so nothing closes it.
fn fence(content: &str) -> String {
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat((longest + 1).max(3));
    format!("{ticks}{CODE_LANGUAGE}\n{content}\n{ticks}")
}

/// Applies non-overlapping edits, last first; an edit overlapping a later one waits for the
/// next round.
fn apply(text: &mut String, mut edits: Vec<Edit>) {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut limit = usize::MAX;
    for edit in edits.into_iter().rev() {
        if edit.range.end > limit {
            continue;
        }
        limit = edit.range.start;
        text.replace_range(edit.range, &edit.with);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_safe(input: &str) -> String {
        let out = safe_markdown(input);
        assert_eq!(problem(&out), None, "{input:?} became {out:?}");
        out
    }

    #[test]
    fn fenced_blocks_become_text() {
        let out = assert_safe("Use it:\n\n```rust\npanic!()\n```\n\n~~~\ncompile_error!(\"x\");\n~~~\n");
        assert_eq!(out, "Use it:\n\n```text\npanic!()\n```\n\n~~~text\ncompile_error!(\"x\");\n~~~\n");
        // A fence with attributes, an unclosed one, one in a list and one in a quote.
        assert_safe("```should_panic,edition2021\npanic!()\n```");
        assert_safe("text\n```\nfn main() {}");
        assert_safe("- item\n\n  ```\n  panic!()\n  ```\n");
        assert_safe("> ```rust\n> panic!()\n> ```\n");
        assert_eq!(assert_safe("```text\nok\n```"), "```text\nok\n```");
    }

    #[test]
    fn indented_blocks_become_text_fences() {
        let out = assert_safe("Example:\n\n    panic!();\n    ```\n\nAfter.");
        assert_eq!(out, "Example:\n\n````text\npanic!();\n```\n````\n\nAfter.");
        assert_safe("    panic!()");
        // Inside a list: the whole text becomes one block.
        let out = assert_safe("- item\n\n        panic!()\n");
        assert!(out.starts_with("```text\n"), "{out}");
    }

    #[test]
    fn html_is_escaped_and_links_stay() {
        let out = assert_safe("a <script>alert(1)</script> b\n\n<div>\n\n```rust\npanic!()\n```\n</div>\n");
        assert!(!out.contains("<script") && out.contains("&lt;script>"), "{out}");
        let links = "see [`Client`], [Object] and [x](https://e.com)";
        assert_eq!(assert_safe(links), links);
        // An HTML block hides a fence until it is escaped: the second round catches it.
        assert_safe("<div>\n```rust\npanic!()\n```\n</div>");
    }

    #[test]
    fn characters_rustc_rejects_in_comments_are_dropped() {
        assert_eq!(assert_safe("a\rb\r\nc\u{202E}d\u{2066}e\0"), "a\nb\ncde");
    }

    #[test]
    fn ordinary_prose_is_untouched() {
        let prose = "The token's *name*, `code`, [a link](https://x.y) and a list:\n\n- one\n- two";
        assert_eq!(safe_markdown(prose), prose);
    }

    #[test]
    fn rewriting_doc_attributes_in_a_syntax_tree() {
        let mut file: syn::File = syn::parse_quote! {
            #[doc = "```\npanic!()\n```"]
            pub struct S {
                #[doc = "    panic!()"]
                pub f: u8,
            }
        };
        sanitize(&mut file);
        let mut docs = Vec::new();
        struct Collect<'a>(&'a mut Vec<String>);
        impl syn::visit::Visit<'_> for Collect<'_> {
            fn visit_attribute(&mut self, attr: &syn::Attribute) {
                self.0.extend(doc_literal(attr).map(syn::LitStr::value));
            }
        }
        syn::visit::Visit::visit_file(&mut Collect(&mut docs), &file);
        assert_eq!(docs, ["```text\npanic!()\n```", "```text\npanic!()\n```"]);
    }
}
