//! Finds every vendor in `specs/*/`, generates its client with the one code generator, and a
//! dispatcher calling any operation by name with JSON arguments (the demo, the contract check
//! and the scenarios are data: `specs/<vendor>/scenario.toml`). A new vendor folder is picked
//! up here without any edit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use api_codegen::SpecDir;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            println!("cargo::warning={}", message.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let specs = manifest.join("../../specs");
    let specs = specs.canonicalize().map_err(|e| format!("{}: {e}", specs.display()))?;
    // A directory: cargo reruns this script when anything under it changes.
    println!("cargo::rerun-if-changed={}", specs.display());
    // The generated clients name the client crates' `mock` feature, which this crate lacks.
    println!("cargo::rustc-check-cfg=cfg(feature, values(\"mock\"))");

    let mut vendors: Vec<String> = std::fs::read_dir(&specs)
        .map_err(|e| format!("{}: {e}", specs.display()))?
        .filter_map(Result::ok)
        .filter(|e| SpecDir::new(e.path()).spec.is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    vendors.sort();

    let mut index =
        String::from("/// Every vendor of `specs/`, in name order.\npub static VENDORS: &[crate::Vendor] = &[\n");
    let mut modules = String::new();
    for vendor in &vendors {
        let module = vendor.replace('-', "_");
        let dir = out.join(vendor);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let prepared = api_codegen::load(&SpecDir::new(specs.join(vendor))).map_err(|e| e.to_string())?;
        let generated = api_codegen::generate(&prepared).map_err(|e| e.to_string())?;
        let dispatch = dispatcher(&generated.client).map_err(|e| format!("{vendor}: {e}"))?;
        write(&dir.join("client.rs"), &generated.client)?;
        write(&dir.join("dispatch.rs"), &dispatch)?;
        let _ = writeln!(
            modules,
            "/// The `{vendor}` client, generated from `specs/{vendor}/`.\n\
             #[allow(clippy::all, clippy::unwrap_used, unused_imports, dead_code)]\n\
             pub mod {module} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{vendor}/client.rs\"));\n    \
             /// Any operation by its method name, with JSON arguments.\n    \
             #[allow(clippy::all, unused_imports)]\n    \
             pub mod dispatch {{\n        include!(concat!(env!(\"OUT_DIR\"), \"/{vendor}/dispatch.rs\"));\n    }}\n}}"
        );
        let _ = writeln!(
            index,
            "    crate::Vendor {{ name: {vendor:?}, api: &{module}::API, connect: {module}::dispatch::connect, from_env: {module}::dispatch::from_env }},"
        );
    }
    index.push_str("];\n");
    write(&out.join("vendors.rs"), &format!("{modules}\n{index}"))
}

fn write(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("{}: {e}", path.display()))
}

/// One builder: its setters (name, target type) and what `send` answers.
struct Builder {
    setters: Vec<(String, String)>,
    answer: String,
}

/// `call(client, method, args)`: a match over every `Client` method, each setting the given
/// arguments through the builder's own setters (their types read from the generated code).
fn dispatcher(client: &str) -> Result<String, String> {
    let file = syn::parse_file(client).map_err(|e| format!("the generated client does not parse: {e}"))?;
    let mut methods = Vec::new(); // (client method, builder struct)
    let mut builders = std::collections::BTreeMap::new();
    collect(&file.items, &mut methods, &mut builders);

    let mut arms = String::new();
    for (method, builder) in &methods {
        let Some(b) = builders.get(builder) else { continue };
        let mut setters = String::new();
        for (name, ty) in &b.setters {
            // An octet-stream or text body (`reqwest::Body`) is given as a JSON string.
            let ty = if ty == "reqwest :: Body" { "String" } else { ty.as_str() };
            let _ =
                writeln!(setters, "                {name:?} => request.{name}(crate::argument::<{ty}>(name, value)?),");
        }
        let answer = if b.answer.contains("ByteStream") { "crate::stream_answer" } else { "crate::answer" };
        let set = if b.setters.is_empty() {
            format!(
                "            let request = client.{method}();\n            \
                 if let Some(name) = args.keys().next() {{\n                \
                 return Err(crate::CallError::UnknownArgument({method:?}, name.clone()));\n            }}\n"
            )
        } else {
            format!(
                "            let mut request = client.{method}();\n            \
                 for (name, value) in args {{\n                request = match name.as_str() {{\n{setters}                \
                 _ => return Err(crate::CallError::UnknownArgument({method:?}, name.clone())),\n                }};\n            }}\n"
            )
        };
        // Each arm in a future of its own on the heap: one `async fn` over a whole API's
        // operations would poll with a stack frame holding every arm's locals (it overflowed a
        // 2 MiB tokio worker stack with Vercel's 216 operations in a debug build).
        let _ = writeln!(
            arms,
            "        {method:?} => ::std::boxed::Box::pin(async move {{\n{set}            {answer}(request.send().await)\n        }}).await,"
        );
    }
    Ok(format!(
        "use super::types;\n\n\
         /// Calls the `Client` method `method` with `args` (setter name → JSON value).\n\
         pub async fn call(client: &super::Client, method: &str, args: &::serde_json::Map<String, ::serde_json::Value>) \
         -> ::std::result::Result<crate::Answer, crate::CallError> {{\n    match method {{\n{arms}        \
         _ => Err(crate::CallError::UnknownOperation(method.to_string())),\n    }}\n}}\n\n\
         impl crate::Caller for super::Client {{\n    \
         fn call<'a>(&'a self, method: &'a str, args: &'a ::serde_json::Map<String, ::serde_json::Value>) -> crate::CallFuture<'a> {{\n        \
         Box::pin(call(self, method, args))\n    }}\n}}\n\n\
         pub fn connect(base_url: &str, key: &str) -> ::std::result::Result<Box<dyn crate::Caller>, ::api_runtime::ConfigError> {{\n    \
         Ok(Box::new(super::Client::builder().api_key(key).base_url(base_url).build()?))\n}}\n\n\
         pub fn from_env() -> ::std::result::Result<Box<dyn crate::Caller>, ::api_runtime::ConfigError> {{\n    \
         Ok(Box::new(super::Client::from_env()?))\n}}\n"
    ))
}

fn tokens(t: &impl quote::ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// Walks the generated items: `impl Client` methods returning `builder::X<'_>`, and each
/// builder's `impl`: setters `fn name<V>(self, value: V) where V: TryInto<T>` and `send`.
fn collect(
    items: &[syn::Item],
    methods: &mut Vec<(String, String)>,
    builders: &mut std::collections::BTreeMap<String, Builder>,
) {
    for item in items {
        match item {
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect(inner, methods, builders);
                }
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
                let Some(self_name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
                for member in &imp.items {
                    let syn::ImplItem::Fn(f) = member else { continue };
                    if !matches!(f.vis, syn::Visibility::Public(_)) {
                        continue;
                    }
                    let name = f.sig.ident.to_string();
                    let output = match &f.sig.output {
                        syn::ReturnType::Type(_, ty) => tokens(ty),
                        syn::ReturnType::Default => String::new(),
                    };
                    if self_name == "Client" {
                        if let Some(rest) = output.strip_prefix("builder :: ") {
                            let builder = rest.split_whitespace().next().unwrap_or_default().to_string();
                            methods.push((name, builder));
                        }
                        continue;
                    }
                    let entry = builders
                        .entry(self_name.clone())
                        .or_insert_with(|| Builder { setters: Vec::new(), answer: String::new() });
                    if name == "send" {
                        entry.answer = output;
                    } else if let Some(ty) = setter_target(f) {
                        entry.setters.push((name, ty));
                    }
                }
            }
            _ => {}
        }
    }
}

/// `T` of a setter's `where V: std::convert::TryInto<T>`.
fn setter_target(f: &syn::ImplItemFn) -> Option<String> {
    let clause = f.sig.generics.where_clause.as_ref()?;
    for predicate in &clause.predicates {
        let syn::WherePredicate::Type(p) = predicate else { continue };
        for bound in &p.bounds {
            let syn::TypeParamBound::Trait(t) = bound else { continue };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                continue;
            }
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments
                && let Some(syn::GenericArgument::Type(ty)) = args.args.first()
            {
                return Some(tokens(ty));
            }
        }
    }
    None
}
