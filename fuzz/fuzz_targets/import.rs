//! Every importer on arbitrary input: an error or a valid project, never a panic or a hang.
//! The first byte picks the format and options; the rest is the file (for brat, the `.txt` and
//! the `.ann` separated by the first NUL byte; for DocBin, the msgpack that is zlib-compressed
//! here, so that mutations reach the decoder rather than break the compression).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use spantag::core::formats::{self, Format, ImportOptions, Offsets};
use spantag::core::project_file;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("spantag-fuzz-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let formats = [
        Format::Text,
        Format::Doccano,
        Format::Conll,
        Format::Brat,
        Format::LabelStudio,
        Format::Docbin,
    ];
    let format = formats[usize::from(selector) % formats.len()];
    let options = ImportOptions {
        lenient: selector & 0x10 != 0,
        offsets: if selector & 0x20 != 0 { Offsets::Utf16 } else { Offsets::Codepoint },
        as_suggestions: selector & 0x40 != 0,
        annotator: (selector & 0x80 != 0).then(|| "fuzz".to_owned()),
        ..Default::default()
    };
    let dir = scratch();
    let input = match format {
        Format::Brat => {
            let (txt, ann) = match body.iter().position(|&b| b == 0) {
                Some(i) => (&body[..i], &body[i + 1..]),
                None => (body, &[][..]),
            };
            std::fs::write(dir.join("doc.txt"), txt).expect("write");
            std::fs::write(dir.join("doc.ann"), ann).expect("write");
            dir.join("doc.txt")
        }
        Format::Docbin => {
            use std::io::Write as _;
            let mut zlib =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            zlib.write_all(body).expect("compress");
            let path = dir.join(format!("input.{}", format.extension()));
            std::fs::write(&path, zlib.finish().expect("compress")).expect("write");
            path
        }
        _ => {
            let path = dir.join(format!("input.{}", format.extension()));
            std::fs::write(&path, body).expect("write");
            path
        }
    };
    if let Ok(report) = formats::import(format, &[input], &options) {
        // Whatever an importer accepts is a valid project.
        let json = project_file::to_json(&report.project).expect("serialisable");
        if let Err(e) = project_file::parse(json.as_bytes(), Path::new("imported.json")) {
            panic!("{format} import gave an invalid project: {e}");
        }
    }
});
