//! The text catalogue (`locales/`): both languages have every message with the
//! same arguments, every message the code asks for exists and gets exactly
//! those arguments, and the UI code holds no text of its own.

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use r2v_studio::core::text::CATALOGUE_FILES;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Message id → the variables its pattern uses.
type Messages = BTreeMap<String, BTreeSet<String>>;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn variables_in_pattern(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            variables_in_expression(expression, out);
        }
    }
}

fn variables_in_expression(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            variables_in_inline(selector, out);
            for variant in variants {
                variables_in_pattern(&variant.value, out);
            }
        }
        Expression::Inline(inline) => variables_in_inline(inline, out),
    }
}

fn variables_in_inline(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                variables_in_inline(argument, out);
            }
            for argument in &arguments.named {
                variables_in_inline(&argument.value, out);
            }
        }
        InlineExpression::Placeable { expression } => variables_in_expression(expression, out),
        _ => {}
    }
}

/// Parses one catalogue file; syntax errors and attributes are failures.
fn parse(name: &str, source: &str) -> Messages {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("{name}: syntax errors: {errors:?}"),
    };
    let mut messages = Messages::new();
    for entry in &resource.body {
        match entry {
            Entry::Message(message) => {
                let id = message.id.name.to_string();
                let Some(value) = &message.value else {
                    panic!("{name}: {id} has no value");
                };
                assert!(
                    message.attributes.is_empty(),
                    "{name}: {id} has attributes, which the app never reads"
                );
                let mut variables = BTreeSet::new();
                variables_in_pattern(value, &mut variables);
                assert!(
                    messages.insert(id.clone(), variables).is_none(),
                    "{name}: {id} is defined twice"
                );
            }
            Entry::Junk { content } => panic!("{name}: cannot parse {content:?}"),
            _ => {}
        }
    }
    messages
}

/// Every message of the catalogue, with the variables either language uses.
fn catalogue() -> Messages {
    let mut all = Messages::new();
    let mut problems = Vec::new();
    for (area, en, zh) in CATALOGUE_FILES {
        let en = parse(&format!("en/{area}.ftl"), en);
        let zh = parse(&format!("zh-CN/{area}.ftl"), zh);
        for id in en.keys().filter(|id| !zh.contains_key(*id)) {
            problems.push(format!("{id} is missing in zh-CN/{area}.ftl"));
        }
        for id in zh.keys().filter(|id| !en.contains_key(*id)) {
            problems.push(format!("{id} is missing in en/{area}.ftl"));
        }
        for (id, en_vars) in &en {
            let Some(zh_vars) = zh.get(id) else { continue };
            if en_vars != zh_vars {
                problems.push(format!(
                    "{id} ({area}) uses {en_vars:?} in English but {zh_vars:?} in Chinese"
                ));
            }
            if all.insert(id.clone(), en_vars.clone()).is_some() {
                problems.push(format!("{id} is defined in more than one file"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "catalogue problems:\n{}",
        problems.join("\n")
    );
    all
}

/// A Rust file with its comments blanked out (string literals kept), so that
/// text in comments and doc examples is never taken for code.
fn code_of(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(if chars[i] == '\n' { '\n' } else { ' ' });
                    i += 1;
                }
            }
        } else if let Some(end) = literal_end(&chars, i) {
            out.extend(&chars[i..end]);
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// If a string or char literal starts at `i`, the index just past it.
fn literal_end(chars: &[char], i: usize) -> Option<usize> {
    let c = chars[i];
    let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    if c == '"' {
        let mut j = i + 1;
        while j < chars.len() && chars[j] != '"' {
            j += if chars[j] == '\\' { 2 } else { 1 };
        }
        return Some(j + 1);
    }
    if c == 'r' && !prev_ident {
        let mut j = i + 1;
        while chars.get(j) == Some(&'#') {
            j += 1;
        }
        if chars.get(j) == Some(&'"') {
            let hashes = j - i - 1;
            let mut k = j + 1;
            while k < chars.len() {
                if chars[k] == '"'
                    && chars[k + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|c| **c == '#')
                        .count()
                        == hashes
                {
                    return Some(k + 1 + hashes);
                }
                k += 1;
            }
        }
        return None;
    }
    if c == '\'' {
        if chars.get(i + 1) == Some(&'\\') {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            return Some(j + 1);
        }
        if chars.get(i + 2) == Some(&'\'') {
            return Some(i + 3);
        }
    }
    None
}

/// The string literals of `code`: (line number, start char index, content).
fn string_literals(code: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
        }
        match literal_end(&chars, i) {
            Some(end) => {
                let text: String = chars[i..end].iter().collect();
                if let Some(open) = text.find('"') {
                    let close = text.rfind('"').unwrap_or(text.len());
                    if close > open {
                        found.push((line, i, text[open + 1..close].to_string()));
                    }
                }
                line += text.matches('\n').count();
                i = end;
            }
            None => i += 1,
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One use of `tr!` or `loc!`: where, which message, which arguments.
#[derive(Debug)]
struct Use {
    place: String,
    id: String,
    arguments: BTreeSet<String>,
}

/// Splits a macro's argument list at its top-level commas.
fn split_arguments(chars: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = literal_end(chars, i) {
            current.extend(&chars[i..end]);
            i = end;
            continue;
        }
        let c = chars[i];
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                i += 1;
                continue;
            }
            _ => {}
        }
        current.push(c);
        i += 1;
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

/// Every `tr!(lang, "id", a = …)` and `loc!("id", a = …)` in the sources.
fn uses() -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut uses = Vec::new();
    for file in files {
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let chars: Vec<char> = code.chars().collect();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        let mut i = 0;
        while i < chars.len() {
            if let Some(end) = literal_end(&chars, i) {
                i = end;
                continue;
            }
            let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
            let before_ok = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
            let skip = if rest.starts_with("tr!(") {
                4
            } else if rest.starts_with("loc!(") {
                5
            } else {
                0
            };
            if skip == 0 || !before_ok {
                i += 1;
                continue;
            }
            // Find the matching parenthesis.
            let start = i + skip;
            let mut depth = 1;
            let mut j = start;
            while j < chars.len() && depth > 0 {
                if let Some(end) = literal_end(&chars, j) {
                    j = end;
                    continue;
                }
                match chars[j] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            let parts = split_arguments(&chars[start..j - 1]);
            let line = chars[..i].iter().filter(|c| **c == '\n').count() + 1;
            let place = format!("{name}:{line}");
            let id_at = if skip == 4 { 1 } else { 0 };
            let id = parts.get(id_at).cloned().unwrap_or_default();
            // The macros' own definitions use `$id:literal`.
            if id.starts_with('$') {
                i = j;
                continue;
            }
            assert!(
                id.starts_with('"') && id.ends_with('"'),
                "{place}: the message id must be a string literal, not {id}"
            );
            let arguments = parts[id_at + 1..]
                .iter()
                .map(|p| p.split('=').next().unwrap_or("").trim().to_string())
                .collect();
            uses.push(Use {
                place,
                id: id.trim_matches('"').to_string(),
                arguments,
            });
            i = j;
        }
    }
    uses
}

#[test]
fn both_languages_have_every_message_with_the_same_arguments() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("locales/en"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = CATALOGUE_FILES
        .iter()
        .map(|(area, _, _)| format!("{area}.ftl"))
        .collect();
    assert_eq!(on_disk, listed, "locales/en and CATALOGUE_FILES differ");
    let zh_on_disk: BTreeSet<String> = std::fs::read_dir(root().join("locales/zh-CN"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        zh_on_disk, listed,
        "locales/zh-CN and CATALOGUE_FILES differ"
    );
    let messages = catalogue();
    assert!(messages.len() > 100, "only {} messages", messages.len());
}

#[test]
fn the_checks_catch_a_missing_message_and_a_wrong_argument() {
    // The checks above must be able to fail.
    let en = parse("en", "a = A { $x }\nb = B\n");
    let zh = parse("zh", "a = 甲 { $y }\n");
    assert!(!zh.contains_key("b"));
    assert_ne!(en["a"], zh["a"]);
    let chars: Vec<char> = r#"lang, "x-y", count = f(a, b), name = "n""#.chars().collect();
    assert_eq!(split_arguments(&chars).len(), 4);
    let code = code_of("// tr!(lang, \"in-comment\")\nlet s = \"text\"; /* \"no\" */ 'a'");
    let literals = string_literals(&code);
    assert_eq!(literals.len(), 1);
    assert_eq!(literals[0].0, 2);
    assert_eq!(literals[0].2, "text");
}

#[test]
fn every_message_the_code_asks_for_exists_with_its_arguments() {
    let messages = catalogue();
    let uses = uses();
    assert!(!uses.is_empty());
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for u in &uses {
        used.insert(u.id.clone());
        match messages.get(&u.id) {
            None => problems.push(format!("{}: {} is not in the catalogue", u.place, u.id)),
            Some(variables) if *variables != u.arguments => problems.push(format!(
                "{}: {} takes {variables:?} but is given {:?}",
                u.place, u.id, u.arguments
            )),
            Some(_) => {}
        }
    }
    for id in messages.keys().filter(|id| !used.contains(*id)) {
        problems.push(format!("{id} is in the catalogue but never used"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Text a person would read: a letter word or a CJK character, outside
/// `{…}` format placeholders.
fn looks_like_text(literal: &str) -> bool {
    let mut outside = String::new();
    let mut depth = 0;
    for c in literal.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let cjk = outside
        .chars()
        .any(|c| ('\u{2E80}'..='\u{9FFF}').contains(&c) || ('\u{FF00}'..='\u{FFEF}').contains(&c));
    let mut run = 0;
    let mut word = false;
    for c in outside.chars() {
        if c.is_ascii_alphabetic() {
            run += 1;
            word |= run >= 2;
        } else {
            run = 0;
        }
    }
    cjk || word
}

/// Calls whose string argument is never shown: egui ids and log lines.
const NOT_TEXT_CONTEXTS: &[&str] = &[
    "id_salt(",
    "Id::new(",
    "Id::unique(",
    "push_id(",
    "Panel::top(",
    "Panel::bottom(",
    "Panel::left(",
    "Panel::right(",
    "trace!(",
    "debug!(",
    "info!(",
    "warn!(",
    "error!(",
];

#[test]
fn the_ui_and_cli_code_have_no_text_of_their_own() {
    let messages = catalogue();
    let mut files = Vec::new();
    rust_files(&root().join("src/ui"), &mut files);
    rust_files(&root().join("src/cli"), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        // Unit tests at the end of a file may use any text.
        let source = source.split("#[cfg(test)]").next().unwrap_or("");
        let lines: Vec<&str> = source.lines().collect();
        let code = code_of(source);
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (line, start, literal) in string_literals(&code) {
            if messages.contains_key(&literal) || !looks_like_text(&literal) {
                continue;
            }
            let before: String = code.chars().take(start).collect();
            let before = before.trim_end();
            if NOT_TEXT_CONTEXTS.iter().any(|c| before.ends_with(c)) {
                continue;
            }
            // A line may say why its literal is not text, e.g. an egui id salt.
            let here = lines.get(line - 1).copied().unwrap_or("");
            let previous = lines.get(line.wrapping_sub(2)).copied().unwrap_or("");
            if here.contains("// not text:") || previous.trim_start().starts_with("// not text:") {
                continue;
            }
            problems.push(format!("{name}:{line}: {literal:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "text in the UI and CLI code belongs in locales/ (use tr! or loc!), or the line says `// not text: why`:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_text_check_sees_text_and_ignores_placeholders() {
    assert!(looks_like_text("Jobs"));
    assert!(looks_like_text("任务"));
    assert!(looks_like_text("{n} left"));
    assert!(!looks_like_text("{count}"));
    assert!(!looks_like_text("{:.1} %"));
    assert!(!looks_like_text(" · "));
    assert!(!looks_like_text("×"));
}
