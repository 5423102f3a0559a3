//! A tiny generated model, snapshotted so that changes to the text layout are reviewed.

use nshed::gen::{self, GenParams, RuleMix, Widths};

#[test]
fn tiny_model_text() {
    let p = GenParams {
        levels: 4,
        widths: Widths::PerLevel(vec![5, 4]),
        input_width: 8,
        fan_in: (2, 3),
        mix: RuleMix::default(),
        classes: 2,
        prototypes_per_class: 2,
        pattern_size: 3,
        samples_per_prototype: 2,
        noise: 0.1,
        seed: 42,
        with_train: Some((200, 4)),
    };
    insta::assert_snapshot!(gen::generate(&p).unwrap());
}
