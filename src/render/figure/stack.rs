//! Several finished figures stacked top to bottom in one SVG document (an experiment that
//! has more than one figure still writes one `--svg` file).

use super::svg::{num, Svg};

/// One finished SVG document (as the figure functions return it) and its size in pixels.
pub struct Sized {
    pub svg: String,
    pub width: f64,
    pub height: f64,
}

/// The figures one below the other, left-aligned, each in its own nested `<svg>` (the
/// documents keep their own coordinates, styles and classes).
pub fn stack_svgs(figures: &[Sized]) -> String {
    let width = figures.iter().map(|f| f.width).fold(0.0, f64::max);
    let height: f64 = figures.iter().map(|f| f.height).sum();
    let mut svg = Svg::new(width, height);
    let mut y = 0.0;
    for figure in figures {
        let body = figure
            .svg
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .unwrap_or(&figure.svg);
        svg.raw(&format!(
            "<g class=\"figure\" transform=\"translate(0,{})\">",
            num(y)
        ));
        svg.raw(body.trim_end());
        svg.raw("</g>");
        y += figure.height;
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::figure::{line_plot_svg, FigureOptions, LinePlot};

    #[test]
    fn stacks_documents_without_their_prologs() {
        let options = FigureOptions {
            title: Some("a".into()),
            size: Some((300.0, 200.0)),
        };
        let one = line_plot_svg(&LinePlot::default(), &options);
        let out = stack_svgs(&[
            Sized {
                svg: one.clone(),
                width: 300.0,
                height: 200.0,
            },
            Sized {
                svg: one,
                width: 300.0,
                height: 200.0,
            },
        ]);
        assert_eq!(out.matches("<?xml").count(), 1);
        assert_eq!(out.matches("<svg ").count(), 3);
        assert!(out.contains("width=\"300\" height=\"400\""));
        assert!(out.contains("translate(0,200)"));
    }
}
