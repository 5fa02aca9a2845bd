//! The mention parser and renamer on any text: no panic, spans tile the
//! prompt on char boundaries, and a rename leaves no mention of the old name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use r2v_studio::core::mentions;
use r2v_studio::core::refname;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // First line: names separated by spaces; the rest: the prompt.
    let (head, prompt) = text.split_once('\n').unwrap_or(("", text));
    let names: Vec<&str> = head.split(' ').filter(|n| !n.is_empty()).take(8).collect();
    let spans = mentions::parse(prompt, &names);
    let mut end = 0;
    for span in &spans {
        assert_eq!(span.bytes.start, end);
        assert!(prompt.is_char_boundary(span.bytes.end));
        end = span.bytes.end;
    }
    assert_eq!(end, prompt.len());
    for m in mentions::find_mentions(prompt) {
        assert_eq!(&prompt[m.bytes.clone()][1..], m.name);
    }
    let _ = mentions::with_spaces_after_mentions(prompt);
    let chars = prompt.chars().count();
    for caret in [0, chars / 2, chars] {
        let _ = mentions::partial_at(prompt, caret);
    }
    if let [old, new, ..] = names[..]
        && refname::check_name(new).is_ok()
        && refname::check_name(old).is_ok()
        && old != new
        && !new.starts_with(old)
    {
        let renamed = mentions::rename(prompt, old, new);
        assert!(
            mentions::find_mentions(&renamed).iter().all(|m| m.name != old),
            "rename left @{old} in {renamed:?}"
        );
    }
});
