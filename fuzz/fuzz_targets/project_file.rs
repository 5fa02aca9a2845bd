//! Project files (`*.r2v.json`) of any content: no panic; a file that opens
//! saves and opens again to the same spec, which validates without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use r2v_studio::project::Project;

fuzz_target!(|data: &[u8]| {
    let Ok(project) = Project::parse(data, "fuzz.r2v.json") else {
        return;
    };
    let _ = project.spec.validate();
    let _ = project.spec.wire_prompt();
    let text = serde_json::to_vec(&project).expect("a project serialises");
    let again = Project::parse(&text, "again.r2v.json").expect("a saved project opens");
    assert_eq!(again.spec, project.spec);
});
