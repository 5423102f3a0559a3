//! The open documents: each one's latest text and the analysis of it, made when it is
//! first needed (by a request, or when the server is idle and publishes diagnostics), so
//! a text replaced before anyone asked about it is never analysed.

use std::collections::HashMap;
use std::sync::Arc;

use lsp_types as lsp;
use nshed::ide::Analysis;

/// One open document.
pub struct Document {
    pub uri: lsp::Uri,
    /// The version the client gave the latest text.
    pub version: i32,
    /// A text not analysed yet.
    pending: Option<String>,
    /// The analysis of the latest text analysed.
    analysis: Option<Arc<Analysis>>,
    /// Whether the diagnostics of the latest text are published.
    published: bool,
}

impl Document {
    /// The analysis of the latest text, made now if it is not yet.
    pub fn analysis(&mut self) -> &Arc<Analysis> {
        if let Some(text) = self.pending.take() {
            let folder = folder_of(&self.uri);
            self.analysis = Some(Arc::new(Analysis::in_folder(text, folder.as_deref())));
        }
        self.analysis
            .get_or_insert_with(|| Arc::new(Analysis::new(String::new())))
    }
}

/// The folder of a `file:` document, where its data files' paths start (`None` for
/// another scheme: the server's current directory).
fn folder_of(uri: &lsp::Uri) -> Option<std::path::PathBuf> {
    let text = uri.as_str().strip_prefix("file://")?;
    let path = percent_decoded(text)?;
    std::path::Path::new(&path)
        .parent()
        .map(|p| p.to_path_buf())
}

/// `%XX` escapes of a URI path decoded (`None` when they do not make UTF-8).
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The documents by URI.
#[derive(Default)]
pub struct Documents {
    open: HashMap<String, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: lsp::Uri, version: i32, text: String) {
        let document = Document {
            uri: uri.clone(),
            version,
            pending: Some(text),
            analysis: None,
            published: false,
        };
        self.open.insert(uri.as_str().to_string(), document);
    }

    /// A new text for an open document; `false` when it is not open.
    pub fn change(&mut self, uri: &lsp::Uri, version: i32, text: String) -> bool {
        let Some(document) = self.open.get_mut(uri.as_str()) else {
            return false;
        };
        document.version = version;
        document.pending = Some(text);
        document.published = false;
        true
    }

    pub fn close(&mut self, uri: &lsp::Uri) -> Option<Document> {
        self.open.remove(uri.as_str())
    }

    pub fn get(&mut self, uri: &lsp::Uri) -> Option<&mut Document> {
        self.open.get_mut(uri.as_str())
    }

    /// The documents whose latest diagnostics are not published (of those, only the ones
    /// whose latest text is analysed already unless `analyse`), each marked published:
    /// the caller publishes them.
    pub fn unpublished(&mut self, analyse: bool) -> Vec<&mut Document> {
        let mut out: Vec<&mut Document> = self
            .open
            .values_mut()
            .filter(|d| !d.published && (analyse || d.pending.is_none()))
            .collect();
        for d in &mut out {
            d.published = true;
        }
        out
    }
}
