//! The project loader on arbitrary bytes: it must return a project or an error, never panic,
//! hang or allocate without bound; and what it accepts must save and load back the same.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use spantag::core::project_file::{self, Drift};

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.json");
    for drift in [Drift::Refuse, Drift::Allow] {
        if let Ok(loaded) = project_file::parse_with(data, path, drift) {
            let json = project_file::to_json(&loaded.project).expect("serialisable");
            let again = project_file::parse(json.as_bytes(), path)
                .unwrap_or_else(|e| panic!("a saved project does not load: {e}"));
            assert_eq!(project_file::to_json(&again).expect("serialisable"), json);
            for doc in &loaded.drift {
                for span in &doc.spans {
                    if let Some((s, e)) = span.found {
                        let d = &loaded.project.documents[doc.doc].document;
                        assert_eq!(d.slice(s, e), span.recorded_text);
                    }
                }
            }
        }
    }
});
