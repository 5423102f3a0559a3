//! The colour of each outcome of a basin: reports name it (so a table's legend matches the
//! image) and the figures draw with it.

/// Distinguishable colours for outcome `index`: Tableau-20 (strong then light shades), then
/// golden-angle hues for the rare grid with more outcomes.
pub fn outcome_colour(index: usize) -> (u8, u8, u8) {
    const TAB20: [(u8, u8, u8); 20] = [
        (0x1f, 0x77, 0xb4),
        (0xff, 0x7f, 0x0e),
        (0x2c, 0xa0, 0x2c),
        (0xd6, 0x27, 0x28),
        (0x94, 0x67, 0xbd),
        (0x8c, 0x56, 0x4b),
        (0xe3, 0x77, 0xc2),
        (0x7f, 0x7f, 0x7f),
        (0xbc, 0xbd, 0x22),
        (0x17, 0xbe, 0xcf),
        (0xae, 0xc7, 0xe8),
        (0xff, 0xbb, 0x78),
        (0x98, 0xdf, 0x8a),
        (0xff, 0x98, 0x96),
        (0xc5, 0xb0, 0xd5),
        (0xc4, 0x9c, 0x94),
        (0xf7, 0xb6, 0xd2),
        (0xc7, 0xc7, 0xc7),
        (0xdb, 0xdb, 0x8d),
        (0x9e, 0xda, 0xe5),
    ];
    if let Some(&c) = TAB20.get(index) {
        return c;
    }
    let hue = (index as f64 * 137.507_764) % 360.0;
    hsl_to_rgb(hue, 0.55, if index.is_multiple_of(2) { 0.45 } else { 0.7 })
}

/// `#rrggbb` of [`outcome_colour`].
pub fn outcome_hex(index: usize) -> String {
    let (r, g, b) = outcome_colour(index);
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn hsl_to_rgb(h: f64, s: f64, l: f64) -> (u8, u8, u8) {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    (byte(r), byte(g), byte(b))
}
