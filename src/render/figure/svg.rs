//! A minimal SVG writer: escaping, number formatting and the few elements the figures use.

/// Text size used for tick labels; other sizes are relative to it.
pub(crate) const FONT_SIZE: f64 = 12.0;

/// Escapes text for use in SVG character data and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most two decimals, without trailing zeros.
pub(crate) fn num(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let s = format!("{:.2}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Rough width of a label in pixels (average glyph of a sans-serif font), for layout.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// Horizontal text anchor.
#[derive(Clone, Copy)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// An SVG document under construction.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Starts a document of `width` x `height` pixels with a white background.
    pub(crate) fn new(width: f64, height: f64) -> Self {
        let (w, h) = (num(width), num(height));
        let mut out = String::new();
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans, Liberation Sans, Arial, \
             Helvetica, sans-serif\" font-size=\"{}\">\n",
            num(FONT_SIZE)
        ));
        out.push_str(&format!(
            "<rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"
        ));
        Self { out }
    }

    /// Appends raw markup (already escaped).
    pub(crate) fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
        self.out.push('\n');
    }

    /// Opens a group with the given attributes (raw, already escaped).
    pub(crate) fn open(&mut self, attributes: &str) {
        self.raw(&format!("<g {attributes}>"));
    }

    pub(crate) fn close(&mut self) {
        self.raw("</g>");
    }

    /// A text label; `extra` holds further raw attributes (`font-weight="bold"`, a transform).
    pub(crate) fn text(
        &mut self,
        x: f64,
        y: f64,
        size: f64,
        anchor: Anchor,
        content: &str,
        extra: &str,
    ) {
        self.raw(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"#222222\" {extra}>{}</text>",
            num(x),
            num(y),
            num(size),
            anchor.name(),
            escape(content)
        ));
    }

    pub(crate) fn line(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
    ) {
        self.raw(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            num(width)
        ));
    }

    /// A rectangle; `extra` holds further raw attributes.
    pub(crate) fn rect(&mut self, x: f64, y: f64, width: f64, height: f64, extra: &str) {
        self.raw(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {extra}/>",
            num(x),
            num(y),
            num(width.max(0.0)),
            num(height.max(0.0))
        ));
    }

    /// An open polyline through `points`; `extra` holds further raw attributes.
    pub(crate) fn polyline(&mut self, points: &[(f64, f64)], extra: &str) {
        let coordinates: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{},{}", num(x), num(y)))
            .collect();
        self.raw(&format!(
            "<polyline points=\"{}\" fill=\"none\" {extra}/>",
            coordinates.join(" ")
        ));
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_numbers() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt; "
        );
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.345), "2.35");
        assert_eq!(num(f64::NAN), "0");
    }
}
