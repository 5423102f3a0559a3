//! The `model { }` block: levels, nodes, gates, classes and their edges, and the symbol
//! table every later block resolves names against.

use std::collections::HashMap;

use super::fasthash::{FastMap, FastSet, SeenIds};
use super::messages as msg;
use super::names::NameTable;
use super::suggest::NameIndex;
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{
    self, ClassesDecl, GateKind, Ident, LevelDecl, ModelItem, NameList, NodeDecl, Span,
};

/// What a model-wide name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Node(ir::NodeId),
    Class(ir::ClassId),
}

/// Every name of the model, resolved to indices, with the spans diagnostics need. Only
/// the level names are borrowed from the AST (`'a`): node and class names are inline
/// keys of the name table (or owned, when long), so that the AST's nodes can be dropped
/// while the table is in use.
#[derive(Default)]
pub struct Symbols<'a> {
    pub model_name: String,
    pub levels: Vec<ir::Level>,
    pub nodes: Vec<ir::Node>,
    pub node_spans: Spans,
    pub classes: Vec<ir::Class>,
    pub class_spans: Vec<Span>,
    pub edges: Vec<ir::Edge>,
    /// `(from, to) -> edge`, so generated models with many `eta F->C` lines stay linear.
    edge_index: FastMap<(ir::NodeId, ir::ClassId), ir::EdgeId>,
    names: NameTable,
    /// Names declared more than once (already reported): references to them are not
    /// checked further, since which declaration they mean is unclear.
    duplicated: FastSet<ast::SmolStr>,
    level_names: FastMap<&'a str, usize>,
    /// Did-you-mean indexes of every node and class name (`all_names` order) and of the
    /// level names, built at the first unknown name: every name is declared by then.
    near_names: std::cell::OnceCell<NameIndex>,
    near_levels: std::cell::OnceCell<NameIndex>,
}

/// Where each node's name is written, as 32-bit offsets: 8 bytes a node instead of 16
/// (sources are at most 1 GiB; a larger text's spans past 4 GiB end there).
#[derive(Default)]
pub struct Spans(Vec<[u32; 2]>);

impl Spans {
    pub fn push(&mut self, span: Span) {
        let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        self.0.push([at(span.start), at(span.end)]);
    }

    pub fn get(&self, i: usize) -> Option<Span> {
        self.0
            .get(i)
            .map(|&[start, end]| Span::new(start as usize, end as usize))
    }
}

/// The tables of [`Symbols`] that become the IR's, without the name lookups that borrow
/// from the AST.
pub struct Tables {
    pub model_name: String,
    pub levels: Vec<ir::Level>,
    pub nodes: Vec<ir::Node>,
    pub classes: Vec<ir::Class>,
    pub edges: Vec<ir::Edge>,
}

/// A level's nodes, their names and its rules' children, as taken out of its
/// [`LevelDecl`].
pub type HeldNodes = (Vec<NodeDecl>, NameList, NameList);

/// A level declaration with the nodes to check: its own, or the same nodes held apart
/// from the AST (`check::check_but_data`), which [`check_model`] drops level by level as
/// soon as the level's rules are resolved.
pub struct LevelNodes<'a> {
    pub decl: &'a LevelDecl,
    held: Option<HeldNodes>,
}

impl LevelNodes<'_> {
    pub fn nodes(&self) -> &[NodeDecl] {
        self.held.as_ref().map_or(&self.decl.nodes, |h| &h.0)
    }

    pub fn names(&self) -> &NameList {
        self.held.as_ref().map_or(&self.decl.names, |h| &h.1)
    }

    pub fn children(&self) -> &NameList {
        self.held.as_ref().map_or(&self.decl.children, |h| &h.2)
    }

    /// Drops held nodes (nodes of the AST stay).
    fn release(&mut self) {
        if let Some(held) = &mut self.held {
            *held = HeldNodes::default();
        }
    }
}

/// The model's levels in order, each with its own nodes (`held` is `None`), or with
/// `held[i]` for the `i`th level when the nodes were taken out of the AST.
pub fn level_nodes(model: &ast::Model, held: Option<Vec<HeldNodes>>) -> Vec<LevelNodes<'_>> {
    let mut held = held.map(Vec::into_iter);
    model
        .items
        .iter()
        .filter_map(|item| match item {
            ModelItem::Level(l) => Some(l),
            ModelItem::Classes(_) => None,
        })
        .map(|decl| LevelNodes {
            decl,
            held: held.as_mut().map(|h| h.next().unwrap_or_default()),
        })
        .collect()
}

impl<'a> Symbols<'a> {
    /// The IR's tables; the name lookups (and their borrow of the AST) end here.
    pub fn into_tables(self) -> Tables {
        Tables {
            model_name: self.model_name,
            levels: self.levels,
            nodes: self.nodes,
            classes: self.classes,
            edges: self.edges,
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Entity> {
        self.names.get(name).map(|(entity, _)| entity)
    }

    /// What `name` refers to and, for a node, its level index (one table read for both).
    pub fn lookup_with_level(&self, name: &str) -> Option<(Entity, usize)> {
        self.names
            .get(name)
            .map(|(entity, level)| (entity, level as usize))
    }

    /// Brings the table entries of `names` into cache ahead of their lookups.
    pub fn warm<'n>(&self, names: impl Iterator<Item = &'n Ident>) {
        self.names.warm(names.map(|n| n.name.as_str()));
    }

    /// [`Symbols::warm`] for names without spans.
    pub fn warm_names<'n>(&self, names: impl Iterator<Item = &'n str>) {
        self.names.warm(names);
    }

    pub fn is_duplicated(&self, name: &str) -> bool {
        !self.duplicated.is_empty() && self.duplicated.contains(name)
    }

    pub fn level(&self, name: &str) -> Option<usize> {
        self.level_names.get(name).copied()
    }

    pub fn level_name(&self, level: usize) -> &str {
        self.levels.get(level).map_or("?", |l| l.name.as_str())
    }

    /// The node's level index (0 = input level).
    pub fn node_level(&self, node: ir::NodeId) -> usize {
        self.nodes
            .get(node as usize)
            .map_or(0, |n| n.level as usize)
    }

    /// Name number `i` in `all_names` order (nodes, then classes).
    fn name_at(&self, i: u32) -> &str {
        let i = i as usize;
        match self.nodes.get(i) {
            Some(node) => &node.name,
            None => self
                .classes
                .get(i - self.nodes.len())
                .map_or("", |c| &c.name),
        }
    }

    /// The closest name to `name` among those `accept` keeps (numbered as in `all_names`).
    fn closest_name(&self, name: &str, accept: impl Fn(u32) -> bool) -> Option<&str> {
        let index = self.near_names.get_or_init(|| {
            NameIndex::new(self.nodes.len() + self.classes.len(), |i| self.name_at(i))
        });
        index
            .closest(name, |i| self.name_at(i), accept)
            .map(|i| self.name_at(i))
    }

    /// Did you mean: a node of `level`, else any node or class.
    pub fn suggest_node(&self, name: &str, level: usize) -> Option<&str> {
        self.suggest_node_of_level(name, level)
            .or_else(|| self.suggest_name(name))
    }

    /// Did you mean: a node of `level`.
    pub fn suggest_node_of_level(&self, name: &str, level: usize) -> Option<&str> {
        let n = self.nodes.len();
        self.closest_name(name, |i| {
            (i as usize) < n && self.nodes[i as usize].level as usize == level
        })
    }

    /// Did you mean: any node or class.
    pub fn suggest_name(&self, name: &str) -> Option<&str> {
        self.closest_name(name, |_| true)
    }

    /// Did you mean: a class.
    pub fn suggest_class(&self, name: &str) -> Option<&str> {
        let n = self.nodes.len();
        self.closest_name(name, |i| i as usize >= n)
    }

    /// Did you mean: a level.
    pub fn suggest_level(&self, name: &str) -> Option<&str> {
        let name_of = |i: u32| self.levels.get(i as usize).map_or("", |l| l.name.as_str());
        self.near_levels
            .get_or_init(|| NameIndex::new(self.levels.len(), name_of))
            .closest(name, name_of, |_| true)
            .map(name_of)
    }

    pub fn level_names(&self) -> impl Iterator<Item = &str> {
        self.levels.iter().map(|l| l.name.as_str())
    }

    /// The edge `from -> to`, if declared.
    pub fn edge(&self, from: ir::NodeId, to: ir::ClassId) -> Option<ir::EdgeId> {
        self.edge_index.get(&(from, to)).copied()
    }

    /// Index of the last feature level (L-1), whose nodes feed the classes.
    pub fn last_feature_level(&self) -> usize {
        self.levels.len().saturating_sub(1)
    }

    /// Describes what a resolved name is, for "expected X, found Y" messages.
    pub fn describe(&self, entity: Entity) -> String {
        match entity {
            Entity::Node(id) => {
                format!("a node of level `{}`", self.level_name(self.node_level(id)))
            }
            Entity::Class(_) => "a class".to_string(),
        }
    }
}

/// Checks the model block and builds the symbol table; `levels` are the model's levels
/// ([`level_nodes`]). Held nodes are dropped once resolved: the AST's nodes and the IR's
/// are not all held at once.
pub fn check_model<'a>(
    ctx: &mut Ctx,
    model: &'a ast::Model,
    levels: &mut [LevelNodes<'a>],
) -> Symbols<'a> {
    let errors_before = ctx.error_count();
    let classes_blocks: Vec<&ClassesDecl> = model
        .items
        .iter()
        .filter_map(|item| match item {
            ModelItem::Classes(c) => Some(c),
            ModelItem::Level(_) => None,
        })
        .collect();

    // Sized once: growing a table of a million names rehashes it twenty times.
    let n_nodes: usize = levels.iter().map(|l| l.nodes().len()).sum();
    let n_classes: usize = classes_blocks.first().map_or(0, |c| c.classes.len());
    let mut symbols = Symbols {
        model_name: model.name.name.to_string(),
        nodes: Vec::with_capacity(n_nodes),
        node_spans: Spans(Vec::with_capacity(n_nodes)),
        names: NameTable::with_capacity(n_nodes + n_classes),
        ..Symbols::default()
    };
    if levels.is_empty() {
        ctx.push(msg::no_levels(model.header));
    }
    let (classes_block, classes_last) = check_classes_blocks(ctx, model, &classes_blocks);

    declare_levels(ctx, &mut symbols, levels);
    if let Some(block) = classes_block {
        declare_classes(ctx, &mut symbols, block);
    }
    check_level_names(ctx, &symbols, levels);
    let mut seen = SeenIds::new(symbols.nodes.len());
    for (level, nodes) in levels.iter_mut().enumerate() {
        check_gates(ctx, &mut symbols, level, nodes, &mut seen);
        nodes.release();
    }
    if let Some(block) = classes_block {
        // With a level after the classes, "the last level" is unclear: the misplaced
        // block is reported, its parents are not.
        if !levels.is_empty() && classes_last {
            check_parents(ctx, &mut symbols, block, &mut seen);
        }
    }
    // A wrong reference can make a node look unused; only warn on a clean model.
    if ctx.error_count() == errors_before {
        warn_dead_nodes(ctx, &symbols, levels, classes_block.is_some());
    }
    symbols
}

/// Exactly one `classes` block, after every level; returns the one to use and whether
/// it comes after every level.
fn check_classes_blocks<'a>(
    ctx: &mut Ctx,
    model: &ast::Model,
    blocks: &[&'a ClassesDecl],
) -> (Option<&'a ClassesDecl>, bool) {
    let first = blocks.first().copied();
    let mut last = true;
    match first {
        None => ctx.push(msg::no_classes(model.header)),
        Some(first) => {
            for extra in blocks.iter().skip(1) {
                ctx.push(msg::duplicate_classes(extra.header, first.header));
            }
            if first.classes.is_empty() {
                ctx.push(msg::empty_classes(first.header));
            }
            // A level after the classes block breaks "level L holds the classes".
            let mut seen_classes = false;
            for item in &model.items {
                match item {
                    ModelItem::Classes(c) if std::ptr::eq(c, first) => seen_classes = true,
                    ModelItem::Level(l) if seen_classes => {
                        last = false;
                        ctx.push(msg::level_after_classes(l.header, first.header));
                    }
                    _ => {}
                }
            }
        }
    }
    (first, last)
}

fn declare_name(
    ctx: &mut Ctx,
    symbols: &mut Symbols,
    name: &str,
    entity: Entity,
    level: u32,
    span: Span,
) {
    if let Some(previous) = symbols.names.insert(name, entity, level) {
        let first = match previous {
            Entity::Node(id) => symbols.node_spans.get(id as usize),
            Entity::Class(id) => symbols.class_spans.get(id as usize).copied(),
        };
        ctx.push(msg::duplicate_name(name, span, first));
        symbols.duplicated.insert(name.into());
    }
}

fn declare_levels<'a>(ctx: &mut Ctx, symbols: &mut Symbols<'a>, levels: &[LevelNodes<'a>]) {
    for (index, level) in levels.iter().enumerate() {
        let (decl, nodes, names) = (level.decl, level.nodes(), level.names());
        if nodes.is_empty() {
            ctx.push(msg::empty_level(&decl.name.name, decl.header));
        }
        let first = symbols.nodes.len() as ir::NodeId;
        let all = ast::Children::of_list(0, names.len());
        for (offset, name) in names.iter().enumerate() {
            symbols.warm_names(names_ahead(names, all, offset, WARM_BATCH));
            let id = symbols.nodes.len() as ir::NodeId;
            let node_id = Entity::Node(id);
            declare_name(ctx, symbols, name.name, node_id, index as u32, name.span);
            symbols.nodes.push(ir::Node {
                name: ast::SmolStr::new(name.name),
                level: index as u32,
                gate: None,
            });
            symbols.node_spans.push(name.span);
        }
        symbols
            .level_names
            .entry(decl.name.name.as_str())
            .or_insert(index);
        symbols.levels.push(ir::Level {
            name: decl.name.name.to_string(),
            first,
            len: nodes.len() as u32,
        });
    }
}

fn declare_classes<'a>(ctx: &mut Ctx, symbols: &mut Symbols<'a>, block: &'a ClassesDecl) {
    let slips = parent_slips(block, symbols);
    for (i, (class, slip)) in block.classes.iter().zip(&slips).enumerate() {
        let id = symbols.classes.len() as ir::ClassId;
        match *slip {
            // Still a class, so that class ids stay those of the block; the IR is not
            // built anyway. One problem for all the names after the same parents.
            Some(owner) => {
                if slips[i - 1] != Some(owner) {
                    let names: Vec<&ast::Ident> = block.classes[i..]
                        .iter()
                        .zip(&slips[i..])
                        .take_while(|(_, s)| **s == Some(owner))
                        .map(|(c, _)| &c.name)
                        .collect();
                    ctx.push(msg::parent_without_comma(
                        &names,
                        &block.classes[owner],
                        symbols.level_name(symbols.last_feature_level()),
                    ));
                }
            }
            None => declare_name(
                ctx,
                symbols,
                &class.name.name,
                Entity::Class(id),
                0,
                class.name.span,
            ),
        }
        symbols.classes.push(ir::Class {
            name: class.name.name.to_string(),
            first_edge: 0,
            n_edges: 0,
        });
        symbols.class_spans.push(class.name.span);
    }
}

/// For each class of `block`: `Some(owner)` when it is a missing comma rather than a class
/// (`c2 <- t1 t2` declares `t2` as a class without parents): it has no parent, is named
/// like a node, and follows the parents of class `owner` (directly, or after other such
/// names: `c2 <- t1 t2 t3`).
fn parent_slips(block: &ClassesDecl, symbols: &Symbols) -> Vec<Option<usize>> {
    let mut owner = None;
    block
        .classes
        .iter()
        .enumerate()
        .map(|(i, class)| {
            if !class.parents.is_empty() {
                owner = Some(i);
                return None;
            }
            let slip =
                owner.filter(|_| matches!(symbols.lookup(&class.name.name), Some(Entity::Node(_))));
            if slip.is_none() {
                owner = None;
            }
            slip
        })
        .collect()
}

/// Level names are unique and distinct from node and class names.
fn check_level_names(ctx: &mut Ctx, symbols: &Symbols, levels: &[LevelNodes]) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for LevelNodes { decl, .. } in levels {
        let name = decl.name.name.as_str();
        if let Some(first) = seen.get(name) {
            ctx.push(msg::duplicate_level(name, decl.name.span, *first));
            continue;
        }
        seen.insert(name, decl.name.span);
        if let Some(entity) = symbols.lookup(name) {
            let other = match entity {
                Entity::Node(id) => symbols.node_spans.get(id as usize),
                Entity::Class(id) => symbols.class_spans.get(id as usize).copied(),
            };
            ctx.push(msg::level_name_clash(name, decl.name.span, other));
        }
    }
}

/// Which child (by position in its list) first named a node, for "repeated child".
type FirstMention = SeenIds<u32>;

fn check_gates(
    ctx: &mut Ctx,
    symbols: &mut Symbols,
    level: usize,
    held: &LevelNodes,
    seen: &mut FirstMention,
) {
    let (decl, nodes, list) = (held.decl, held.nodes(), held.children());
    let first = symbols.levels.get(level).map_or(0, |l| l.first);
    // One list for every rule's resolved children, which the IR then holds inline.
    let mut scratch: Vec<ir::NodeId> = Vec::new();
    for ((offset, node), name) in nodes.iter().enumerate().zip(held.names().iter()) {
        let next = ahead(nodes, offset, WARM_NODES).iter();
        symbols.warm_names(
            next.filter_map(|n| n.gate.as_ref())
                .flat_map(|g| list.of(g.children).map(|c| c.name)),
        );
        let id = first + offset as ir::NodeId;
        let gate = match (&node.gate, level) {
            (Some(gate), 0) => {
                ctx.push(msg::input_with_rule(
                    name.name,
                    &decl.name.name,
                    gate.span(),
                ));
                continue;
            }
            (None, 0) => continue,
            (None, _) => {
                ctx.push(msg::missing_rule(name.name, &decl.name.name, name.span));
                continue;
            }
            (Some(gate), _) => gate,
        };
        let children = resolve_children(
            ctx,
            symbols,
            name.name,
            level,
            (list, gate),
            (seen, &mut scratch),
        );
        let kind = match &gate.kind {
            GateKind::Any => Some(ir::GateKind::Any),
            GateKind::All => Some(ir::GateKind::All),
            GateKind::AtLeast(k) => check_k(ctx, k, gate.children.len()),
        };
        if let (Some(kind), Some(slot)) = (kind, symbols.nodes.get_mut(id as usize)) {
            slot.gate = Some(ir::Gate { kind, children });
        }
    }
}

fn check_k(ctx: &mut Ctx, k: &ast::AtLeastK, n: usize) -> Option<ir::GateKind> {
    match k.value() {
        None => ctx.push(msg::int_too_large("k", &k.lit().text, k.span())),
        Some(0) => ctx.push(msg::k_zero(n, k.span())),
        Some(v) if n > 0 && v > n as u64 => ctx.push(msg::k_too_large(v, n, k.span())),
        Some(v) => {
            return u32::try_from(v).ok().map(|k| ir::GateKind::AtLeast { k });
        }
    }
    None
}

fn resolve_children(
    ctx: &mut Ctx,
    symbols: &Symbols,
    node: &str,
    level: usize,
    (list, gate): (&ast::NameList, &ast::Gate),
    (seen, children): (&mut FirstMention, &mut Vec<ir::NodeId>),
) -> ir::ChildIds {
    let required = level - 1;
    if gate.children.is_empty() {
        ctx.push(msg::no_children(
            node,
            symbols.level_name(required),
            gate.span(),
        ));
    }
    children.clear();
    seen.next_list();
    for (position, child) in list.of(gate.children).enumerate() {
        // Short lists were warmed with their rules (`check_gates`).
        if gate.children.len() > WARM_BATCH {
            symbols.warm_names(names_ahead(list, gate.children, position, WARM_BATCH));
        }
        if symbols.is_duplicated(child.name) {
            continue;
        }
        match symbols.lookup_with_level(child.name) {
            None => {
                let suggestion = symbols.suggest_node(child.name, required);
                ctx.push(msg::unknown_node(child.name, child.span, suggestion));
            }
            Some((Entity::Class(_), _)) => ctx.push(msg::child_is_class(
                child.name,
                node,
                symbols.level_name(required),
                child.span,
            )),
            Some((Entity::Node(id), actual)) => {
                if actual != required {
                    ctx.push(msg::child_wrong_level(
                        child.name,
                        node,
                        symbols.level_name(actual),
                        symbols.level_name(required),
                        child.span,
                    ));
                } else if let Some(first) = seen.get(id as usize) {
                    let first = list
                        .get(gate.children.index(first as usize))
                        .map_or(child.span, |c| c.span);
                    ctx.push(msg::repeated_child(child.name, child.span, first));
                } else {
                    seen.insert(id as usize, position as u32);
                    children.push(id);
                }
            }
        }
    }
    ir::ChildIds::from(children.as_slice())
}

/// Each class lists parents from level L-1, without repeats; edges are numbered here.
fn check_parents(
    ctx: &mut Ctx,
    symbols: &mut Symbols,
    block: &ClassesDecl,
    seen: &mut FirstMention,
) {
    let required = symbols.last_feature_level();
    let mut edges = Vec::new();
    let mut ranges = Vec::new();
    let slips = parent_slips(block, symbols);
    for (class_index, class) in block.classes.iter().enumerate() {
        let first_edge = edges.len() as ir::EdgeId;
        if class.parents.is_empty() && slips[class_index].is_none() {
            ctx.push(msg::class_without_parents(
                &class.name.name,
                symbols.level_name(required),
                class.span,
            ));
        }
        seen.next_list();
        for (position, parent) in class.parents.iter().enumerate() {
            symbols.warm(ahead(&class.parents, position, WARM_BATCH).iter());
            if symbols.is_duplicated(&parent.name) {
                continue;
            }
            match symbols.lookup_with_level(&parent.name) {
                None => {
                    let suggestion = symbols.suggest_node(&parent.name, required);
                    ctx.push(msg::unknown_node(&parent.name, parent.span, suggestion));
                }
                Some((Entity::Class(_), _)) => ctx.push(msg::parent_is_class(
                    &parent.name,
                    &class.name.name,
                    symbols.level_name(required),
                    parent.span,
                )),
                Some((Entity::Node(id), actual)) => {
                    if actual != required {
                        ctx.push(msg::parent_wrong_level(
                            &parent.name,
                            &class.name.name,
                            symbols.level_name(actual),
                            symbols.level_name(required),
                            parent.span,
                        ));
                    } else if let Some(first) = seen.get(id as usize) {
                        let first = class.parents[first as usize].span;
                        ctx.push(msg::repeated_parent(&parent.name, parent.span, first));
                    } else {
                        seen.insert(id as usize, position as u32);
                        edges.push(ir::Edge {
                            from: id,
                            to: class_index as ir::ClassId,
                        });
                    }
                }
            }
        }
        ranges.push((first_edge, edges.len() as ir::EdgeId - first_edge));
    }
    for (class, (first_edge, n_edges)) in symbols.classes.iter_mut().zip(ranges) {
        class.first_edge = first_edge;
        class.n_edges = n_edges;
    }
    symbols.edge_index = edges
        .iter()
        .enumerate()
        .map(|(id, e)| ((e.from, e.to), id as ir::EdgeId))
        .collect();
    symbols.edges = edges;
}

/// A node that no node of the next level uses does nothing: warn, once per node.
fn warn_dead_nodes(ctx: &mut Ctx, symbols: &Symbols, levels: &[LevelNodes], has_classes: bool) {
    let mut used = vec![false; symbols.nodes.len()];
    for node in &symbols.nodes {
        if let Some(gate) = &node.gate {
            for &child in &gate.children {
                if let Some(slot) = used.get_mut(child as usize) {
                    *slot = true;
                }
            }
        }
    }
    for edge in &symbols.edges {
        if let Some(slot) = used.get_mut(edge.from as usize) {
            *slot = true;
        }
    }
    let last = symbols.last_feature_level();
    // Dead nodes per level, so a level full of them gives one warning, not thousands.
    let mut dead: Vec<Vec<usize>> = vec![Vec::new(); levels.len()];
    for (id, node) in symbols.nodes.iter().enumerate() {
        if !used.get(id).copied().unwrap_or(true) {
            if let Some(list) = dead.get_mut(node.level as usize) {
                list.push(id);
            }
        }
    }
    for (level, ids) in dead.iter().enumerate() {
        if level == last && !has_classes {
            continue;
        }
        let next = levels
            .get(level + 1)
            .map_or("classes", |l| l.decl.name.name.as_str());
        let span_of = |id: usize| symbols.node_spans.get(id).unwrap_or_default();
        if ids.len() > MAX_SEPARATE_DEAD {
            let this = levels.get(level).map_or("?", |l| l.decl.name.name.as_str());
            let shown: Vec<(String, Span)> = ids
                .iter()
                .take(MAX_SEPARATE_DEAD)
                .map(|&id| (symbols.nodes[id].name.to_string(), span_of(id)))
                .collect();
            ctx.push(msg::many_dead_nodes(
                this,
                next,
                level == last,
                ids.len(),
                &shown,
            ));
            continue;
        }
        for &id in ids {
            let name = &symbols.nodes[id].name;
            if level == last {
                ctx.push(msg::feeds_no_class(name, span_of(id)));
            } else {
                ctx.push(msg::dead_node(name, next, span_of(id)));
            }
        }
    }
}

/// Names whose table entries are brought into cache together (`Symbols::warm`): enough
/// for the misses to overlap, few enough to stay in cache until looked up.
pub const WARM_BATCH: usize = 32;
/// Rules whose children are warmed together (about four children each).
const WARM_NODES: usize = 8;

/// What to warm at `position` of a list walked in order: at the start of each batch,
/// the whole batch, so that its cache misses are under way together before the first
/// lookup waits for its own. (Warming one batch further ahead measured no faster.)
pub fn ahead<T>(items: &[T], position: usize, batch: usize) -> &[T] {
    if !position.is_multiple_of(batch) {
        return &[];
    }
    let end = (position + batch).min(items.len());
    items.get(position..end).unwrap_or(&[])
}

/// [`ahead`] for the names `within` of a list: at the start of each batch, the names of
/// the batch (`position` counts from the first of `within`).
pub fn names_ahead(
    list: &NameList,
    within: ast::Children,
    position: usize,
    batch: usize,
) -> impl Iterator<Item = &str> {
    let end = within.index(within.len());
    let names = if position.is_multiple_of(batch) {
        let first = within.index(position);
        ast::Children::of_list(first.min(end), (first + batch).min(end))
    } else {
        ast::Children::default()
    };
    list.of(names).map(|n| n.name)
}

/// More dead nodes than this in one level are reported as one warning.
const MAX_SEPARATE_DEAD: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_spans_take_eight_bytes_and_give_back_what_was_pushed() {
        let mut spans = Spans::default();
        spans.push(Span::new(3, 9));
        spans.push(Span::new(1 << 30, (1 << 30) + 5));
        assert_eq!(spans.get(0), Some(Span::new(3, 9)));
        assert_eq!(spans.get(1), Some(Span::new(1 << 30, (1 << 30) + 5)));
        assert_eq!(spans.get(2), None);
        assert_eq!(std::mem::size_of_val(&spans.0[0]), 8);
    }
}
