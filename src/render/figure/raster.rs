//! SVG figures as PNG images: the document rendered by resvg with the system's fonts.

/// `svg` rendered to PNG at `scale` pixels per SVG unit. Text needs a font installed on
/// the system (DejaVu Sans is preferred, as the figures name it first); without any, the
/// picture is drawn without its text.
#[cfg(feature = "raster")]
pub fn svg_png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    if options
        .fontdb
        .faces()
        .any(|f| f.families.iter().any(|(family, _)| family == "DejaVu Sans"))
    {
        options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    }
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|e| format!("cannot read the figure to rasterise it: {e}"))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or_else(|| {
        format!(
            "a figure of {} x {} at scale {scale} is too large for a PNG",
            tree.size().width(),
            tree.size().height()
        )
    })?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| "cannot allocate the image".to_string())?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))
}

/// Without the `raster` feature there is no rasteriser.
#[cfg(not(feature = "raster"))]
pub fn svg_png(_svg: &str, _scale: f32) -> Result<Vec<u8>, String> {
    Err("this build of nshed writes no PNG figures (it lacks the `raster` feature)".into())
}
