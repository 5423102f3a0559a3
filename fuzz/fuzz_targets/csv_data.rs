//! Data files: any bytes as the CSV file a model's `data` or `test` block reads through
//! `from`. The model compiles or is refused with diagnostics; every label of a problem in
//! the file lies inside the file, and rendering (text and JSON) never panics. A model that
//! compiles trains a few steps and has finite-or-infinite metrics, never NaN.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nshed::diag::RenderStyle;
use nshed::engine::{train, Control, Model, State, Trainer, Until};

/// Level-1 nodes `a b c` (a file may name them as columns), classes `c1 c2`; the block
/// that reads the file is chosen by the first byte of the input.
const MODEL: &str = "model tiny {
  level input { a b c }
  level f { g = any(a, b)  h = all(b, c) }
  classes { c1 <- g  c2 <- h }
}
DATA
train {
  seed 1
  phase p { steps 4 batch 2 }
}
";

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("nshed-fuzz-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        dir
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&choice, csv)) = bytes.split_first() else {
        return;
    };
    let blocks = match choice % 3 {
        0 => "data { from \"d.csv\" }",
        1 => "data {\n  s1: a -> c1\n  s2: c -> c2\n}\ntest { from \"d.csv\" }",
        _ => "data { from \"d.csv\" }\ntest {\n  t1: b c -> c2\n  copies 2 flip 0.25\n}",
    };
    let dir = folder();
    std::fs::write(dir.join("d.csv"), csv).expect("the data file is written");
    let text = MODEL.replace("DATA", blocks);
    let source = nshed::source::from_bytes("m.nshed", text.into_bytes()).expect("UTF-8 model");
    match nshed::compile_in(source, Some(dir), &nshed::Limits::default()) {
        Err(report) => {
            for problem in &report.problems {
                let len = problem
                    .in_file
                    .as_ref()
                    .map_or(report.source.inner().len(), |f| f.source.inner().len());
                for label in &problem.labels {
                    assert!(
                        label.offset() + label.len() <= len,
                        "label {}..{} outside a text of {len} bytes: {}",
                        label.offset(),
                        label.offset() + label.len(),
                        problem.message
                    );
                }
            }
            let _ = report.render(RenderStyle::Plain);
            let _ = report.to_json_lines();
        }
        Ok(compiled) => {
            let ir = compiled.ir();
            let engine = Model::new(ir);
            let mut trainer = Trainer::new(&engine);
            let mut state = State::new(ir, 1);
            train(&mut trainer, &mut state, Until::EndOfSchedule, &Control::default(), None);
            let model = compiled.model();
            let data = nshed::metrics::of_data(&model, &state);
            assert!(!data.loss.is_some_and(f64::is_nan), "{data:?}");
            if let Some(test) = nshed::metrics::of_test(&model, &state) {
                assert!(!test.loss.is_some_and(f64::is_nan), "{test:?}");
            }
        }
    }
});
