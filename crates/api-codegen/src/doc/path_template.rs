//! Path templates (`/v1/{id}/items`): the parameter names they hold.

use std::collections::BTreeSet;

/// The `{name}`s of a path template.
pub fn template_names(template: &str) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("a `}` without `{`".into());
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("a `{` without `}`")?;
        let name = &after[..close];
        if name.is_empty() || name.contains('{') {
            return Err(format!("bad parameter `{{{name}}}`"));
        }
        if !names.insert(name.to_string()) {
            return Err(format!("`{{{name}}}` appears twice"));
        }
        rest = &after[close + 1..];
    }
    Ok(names)
}
