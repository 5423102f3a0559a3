//! SVG figures: well-formed XML with the expected series and labels, and they render to a
//! non-trivial PNG.

use nshed::analysis::{
    information_binning, le_class_pair_stats, level_sparsity, LevelInformation, PlanePoint,
};
use nshed::render::figure::{
    grouped_bars_svg, info_plane_svg, le_histogram_panels, le_histograms_svg, line_plot_svg,
    sparsity_bar_panels, BarPanel, BarSeries, FigureOptions, LinePlot, LineSeries,
};
use resvg::{tiny_skia, usvg};

/// Elements with the given `class` attribute.
fn count_class(doc: &roxmltree::Document, class: &str) -> usize {
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .count()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

fn series_labels(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("series"))
        .filter_map(|n| n.attribute("data-label").map(str::to_string))
        .collect()
}

/// Renders `svg` with the system's fonts (if any) to PNG and checks the decoded picture.
fn render(svg: &str, name: &str, width: u32, height: u32) {
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let has_fonts = !options.fontdb.is_empty();
    if options
        .fontdb
        .faces()
        .any(|f| f.families.iter().any(|(family, _)| family == "DejaVu Sans"))
    {
        options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    }
    let tree = usvg::Tree::from_str(svg, &options).expect("resvg parses the figure");
    let size = tree.size().to_int_size();
    assert_eq!((size.width(), size.height()), (width, height));
    let mut pixmap = tiny_skia::Pixmap::new(width, height).expect("pixmap");
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let png = pixmap.encode_png().expect("PNG encoding");

    let decoded = tiny_skia::Pixmap::decode_png(&png).expect("PNG decodes");
    assert_eq!((decoded.width(), decoded.height()), (width, height));
    let mut colours: Vec<[u8; 4]> = decoded
        .pixels()
        .iter()
        .map(|p| [p.red(), p.green(), p.blue(), p.alpha()])
        .collect();
    let white = colours
        .iter()
        .filter(|c| **c == [255, 255, 255, 255])
        .count();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 20, "{name}: only {} colours", colours.len());
    assert!(white > colours.len(), "{name}: the background is white");
    let ink = decoded.pixels().len() - white;
    assert!(ink > 1000, "{name}: almost nothing drawn ({ink} pixels)");
    if !has_fonts {
        eprintln!("no system fonts: {name}.png rendered without text");
    }
}

/// One level's trajectory: its name and `(step, i_xt, i_ty)` points.
type Trajectory<'a> = (&'a str, Vec<(u64, f64, f64)>);

/// Trajectories as the plane of recorded steps (a level missing at a step is left out of
/// that step).
fn plane(levels: &[Trajectory]) -> Vec<PlanePoint> {
    let mut steps: Vec<u64> = levels
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|p| p.0))
        .collect();
    steps.sort_unstable();
    steps.dedup();
    steps
        .into_iter()
        .map(|step| PlanePoint {
            step,
            levels: levels
                .iter()
                .flat_map(|(name, pts)| {
                    pts.iter()
                        .filter(move |p| p.0 == step)
                        .map(move |&(_, i_xt, i_ty)| LevelInformation {
                            level: name.to_string(),
                            i_xt,
                            i_ty,
                        })
                })
                .collect(),
        })
        .collect()
}

fn info_plane_data() -> Vec<PlanePoint> {
    // Level 2 rises towards 2 bits then compresses towards 1.
    let level = |peak: f64| -> Vec<(u64, f64, f64)> {
        (0..=20)
            .map(|k| {
                let t = k as f64 / 20.0;
                (
                    k * 500,
                    if t < 0.5 {
                        peak * 2.0 * t
                    } else {
                        peak - (peak - 1.0) * (t - 0.5) * 2.0
                    },
                    (2.0 * t).min(1.0) * 0.98,
                )
            })
            .collect()
    };
    plane(&[("input", level(3.0)), ("hidden", level(2.0))])
}

#[test]
fn info_plane_has_one_series_per_level_and_labelled_axes() {
    let svg = info_plane_svg(
        &info_plane_data(),
        &FigureOptions::titled("Information plane"),
    );
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(series_labels(&doc), ["input", "hidden"]);
    assert_eq!(count_class(&doc, "point"), 42);
    assert_eq!(count_class(&doc, "legend-entry"), 2);
    assert_eq!(count_class(&doc, "colour-bar"), 1);
    let texts = texts(&doc);
    for expected in [
        "I(X;T) (bits)",
        "I(T;Y) (bits)",
        "Information plane",
        "step",
        "10000",
        "input",
        "hidden",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing label {expected}: {texts:?}"
        );
    }
    render(&svg, "info_plane", 780, 540);
}

#[test]
fn info_plane_of_nothing_and_of_odd_values_is_still_valid() {
    let odd = plane(&[(
        "a <level> & \"more\"",
        vec![(3, f64::NAN, 0.5), (3, 1.0, 0.5)],
    )]);
    for data in [vec![], odd] {
        let svg = info_plane_svg(&data, &FigureOptions::default());
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert_eq!(
            count_class(&doc, "point"),
            data.iter().map(|_| 1).sum::<usize>()
        );
    }
}

#[test]
fn le_histograms_have_a_panel_per_base_class_and_a_colour_per_test_class() {
    // Three classes of four samples; LE is high within a class, middling between classes 1
    // and 2 (the "felines"), low towards class 0.
    let labels: Vec<usize> = (0..12).map(|i| i / 4).collect();
    let matrix: Vec<Vec<Option<f64>>> = (0..12)
        .map(|b| {
            (0..12)
                .map(|t| {
                    let (cb, ct) = (labels[b], labels[t]);
                    let jitter = ((b * 7 + t * 13) % 10) as f64 / 40.0;
                    Some(match (cb == ct, cb.min(ct), cb.max(ct)) {
                        (true, _, _) => 0.7 + jitter,
                        (false, 1, 2) => 0.45 + jitter,
                        _ => 0.05 + jitter,
                    })
                })
                .collect()
        })
        .collect();
    let names: Vec<String> = ["brown bear", "leopard", "tiger"]
        .map(String::from)
        .to_vec();
    let panels = le_histogram_panels(&matrix, &labels, &names, true).unwrap();
    assert_eq!(panels.len(), 3);
    assert_eq!(panels[1].title, "Updated with class leopard");
    let stats = le_class_pair_stats(&matrix, &labels, true).unwrap();
    assert_eq!(stats.len(), 9);
    let svg = le_histograms_svg(&panels, 20, &FigureOptions::titled("Local elasticity"));
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(series_labels(&doc).len(), 9);
    assert_eq!(count_class(&doc, "legend-entry"), 3);
    assert_eq!(count_class(&doc, "panel-title"), 3);
    let texts = texts(&doc);
    assert_eq!(texts.iter().filter(|t| *t == "LE(x, x')").count(), 3);
    render(&svg, "le_histograms", 1010, 350);
}

#[test]
fn grouped_bars_have_one_bar_per_level_and_batch_size() {
    let categories: Vec<String> = ["input", "parts", "wholes"].map(String::from).to_vec();
    let series = |values: [[f64; 3]; 2]| {
        vec![
            BarSeries {
                label: "batch 1".to_string(),
                values: values[0].to_vec(),
            },
            BarSeries {
                label: "batch 32".to_string(),
                values: values[1].to_vec(),
            },
        ]
    };
    let panels = vec![
        BarPanel {
            title: "Effective nodes".to_string(),
            y_label: "exp(entropy)".to_string(),
            categories: categories.clone(),
            series: series([[2.1, 1.4, 1.1], [6.5, 3.8, 2.9]]),
        },
        BarPanel {
            title: "Top node share".to_string(),
            y_label: "share of lambda".to_string(),
            categories,
            series: series([[0.62, 0.81, 0.95], [0.2, 0.33, 0.41]]),
        },
    ];
    let svg = grouped_bars_svg(&panels, &FigureOptions::titled("Implicit regularization"));
    let from_sparsity = sparsity_bar_panels(
        &["input".to_string(), "middle".to_string()],
        &[
            (
                "batch 1".to_string(),
                vec![level_sparsity(&[0.0, 9.0]), level_sparsity(&[5.0])],
            ),
            (
                "batch 8".to_string(),
                vec![level_sparsity(&[0.0, 0.0]), level_sparsity(&[5.0])],
            ),
        ],
    );
    assert_eq!(from_sparsity.len(), 2);
    assert_eq!(from_sparsity[0].series[1].values, vec![2.0, 1.0]);
    assert_eq!(from_sparsity[1].series[1].values, vec![0.5, 1.0]);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(count_class(&doc, "bar"), 12);
    assert_eq!(count_class(&doc, "series"), 4);
    assert_eq!(count_class(&doc, "legend-entry"), 2);
    assert_eq!(count_class(&doc, "category"), 6);
    render(&svg, "grouped_bars", 780, 380);
}

#[test]
fn line_plot_with_log_axes_skips_what_it_cannot_draw() {
    let plot = LinePlot {
        x_label: "eps".to_string(),
        y_label: "f(eps)".to_string(),
        series: vec![
            LineSeries {
                label: "phi = 0.5".to_string(),
                points: (1..=8)
                    .map(|k| (10f64.powi(-k), 10f64.powf(-0.5 * k as f64)))
                    .collect(),
                // Error bars on every point but the first; the last one's lower end is
                // below 0, which a log axis cannot draw.
                intervals: (1..=8)
                    .map(|k| {
                        let y = 10f64.powf(-0.5 * k as f64);
                        match k {
                            1 => None,
                            8 => Some((-1.0, 2.0 * y)),
                            _ => Some((y / 2.0, 2.0 * y)),
                        }
                    })
                    .collect(),
            },
            LineSeries {
                intervals: Vec::new(),
                label: "phi = 0.2 (with a gap)".to_string(),
                points: (1..=8)
                    .map(|k| {
                        (
                            10f64.powi(-k),
                            if k == 4 {
                                0.0
                            } else {
                                10f64.powf(-0.2 * k as f64)
                            },
                        )
                    })
                    .collect(),
            },
        ],
        x_log: true,
        y_log: true,
        y_span: None,
    };
    let svg = line_plot_svg(&plot, &FigureOptions::titled("Uncertainty exponent"));
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(series_labels(&doc).len(), 2);
    assert_eq!(
        count_class(&doc, "point"),
        15,
        "the zero on a log axis is skipped"
    );
    // Six error bars of three strokes each (a bar and two caps).
    assert_eq!(count_class(&doc, "interval"), 18);
    let polylines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("class").is_none())
        .count();
    assert_eq!(polylines, 3, "the gap splits the second line");
    let texts = texts(&doc);
    assert!(
        texts.iter().any(|t| t == "1e-8") && texts.iter().any(|t| t == "0.1"),
        "{texts:?}"
    );
    render(&svg, "line_plot", 720, 480);

    let linear = LinePlot {
        x_log: false,
        y_log: false,
        y_span: None,
        ..plot
    };
    let svg = line_plot_svg(
        &linear,
        &FigureOptions {
            title: None,
            size: Some((400.0, 300.0)),
        },
    );
    roxmltree::Document::parse(&svg).expect("well-formed XML");
    render(&svg, "line_plot_linear", 400, 300);
}

#[test]
fn binned_information_feeds_the_info_plane() {
    let rep = vec![vec![0.0], vec![0.5], vec![1.0], vec![1.0]];
    let info = information_binning(&rep, &[0, 0, 1, 1], &[1.0; 4], 30).unwrap();
    let points = plane(&[("level 2", vec![(0, info.i_xt, info.i_ty)])]);
    let svg = info_plane_svg(&points, &FigureOptions::default());
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(count_class(&doc, "point"), 1);
}

#[test]
fn extreme_values_give_valid_nan_free_figures() {
    let extreme = [1e300, -1e300, 1e-300, 0.0, f64::INFINITY, f64::NAN, 7.0];
    let points: Vec<(f64, f64)> = extreme
        .iter()
        .flat_map(|&x| extreme.iter().map(move |&y| (x, y)))
        .collect();
    let mut documents = Vec::new();
    for (x_log, y_log) in [(false, false), (true, true)] {
        let plot = LinePlot {
            x_label: "x".to_string(),
            y_label: "y".to_string(),
            series: vec![LineSeries::new("wild", points.clone())],
            x_log,
            y_log,
            y_span: None,
        };
        documents.push(line_plot_svg(&plot, &FigureOptions::default()));
    }
    let wild_info = plane(&[(
        "wild",
        points
            .iter()
            .enumerate()
            .map(|(k, &(i_xt, i_ty))| (k as u64, i_xt, i_ty))
            .collect(),
    )]);
    documents.push(info_plane_svg(&wild_info, &FigureOptions::default()));
    let panels = vec![nshed::render::figure::LeHistogramPanel {
        title: "wild".to_string(),
        series: vec![nshed::render::figure::HistogramSeries {
            label: "all".to_string(),
            values: extreme.to_vec(),
        }],
    }];
    documents.push(le_histograms_svg(&panels, 0, &FigureOptions::default()));
    let bars = vec![BarPanel {
        title: "wild".to_string(),
        y_label: "v".to_string(),
        categories: vec!["a".to_string(), "b".to_string()],
        series: vec![BarSeries {
            label: "s".to_string(),
            values: extreme.to_vec(),
        }],
    }];
    documents.push(grouped_bars_svg(&bars, &FigureOptions::default()));
    documents.push(grouped_bars_svg(&[], &FigureOptions::default()));
    documents.push(le_histograms_svg(&[], 10, &FigureOptions::default()));
    for svg in &documents {
        roxmltree::Document::parse(svg).expect("well-formed XML");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(
            roxmltree::Document::parse(svg)
                .expect("well-formed XML")
                .descendants()
                .filter_map(|n| n.text())
                .all(|t| t.len() < 40),
            "no runaway tick labels"
        );
    }
}
