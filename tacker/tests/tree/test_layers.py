"""Which product module imports which: layers point one way, no cycle.

The product's packages form layers (doc/source/contributor/
architecture.rst); a module may import from its own layer's package and
from the layers below it, never from above.  No chain of imports leads
from a module back to itself, and the API application is built without
imports hidden inside functions.
"""

import ast
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[3]

#: Top first.  A module may import its own package and anything lower.
LAYERS = (
    ('tacker.cmd',),
    ('tacker.sandbox',),
    ('tacker.api',),
    ('tacker.policies',),
    ('tacker.conductor',),
    ('tacker.vnflcm', 'tacker.dbsync'),
    ('tacker.versions',),
    ('tacker.vnfm',),
    ('tacker.keymgr',),
    ('tacker.vnfpkgm',),
    ('tacker.db',),
    ('tacker.common',),
    ('tacker.conf',),
)


def _module_name(path):
    parts = list(path.relative_to(REPO).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def _product_modules():
    modules = {}
    for path in sorted((REPO / 'tacker').rglob('*.py')):
        name = _module_name(path)
        if not name.startswith('tacker.tests'):
            modules[name] = path
    return modules


MODULES = _product_modules()


def _known(name):
    """The product module ``name`` refers to (a module or its package)."""
    while name and name not in MODULES:
        name = name.rpartition('.')[0]
    return name or None


def _imports(name, path):
    """``(imported module, line, inside a function?)`` of one module."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == '__init__.py' else name.rpartition(
        '.')[0]
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(n) for n in ast.walk(node)
                               if isinstance(n, (ast.Import, ast.ImportFrom)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = package.split('.')
                anchor = parts[:len(parts) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            # "from pkg import mod" imports pkg.mod, not pkg's own code.
            targets = [base + '.' + alias.name
                       if base + '.' + alias.name in MODULES else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            found = _known(target)
            if found and found != name:
                yield found, node.lineno, id(node) in in_function


GRAPH = {name: sorted(set(_imports(name, path)))
         for name, path in MODULES.items()}


def _layer(name):
    for index, packages in enumerate(LAYERS):
        if any(name == p or name.startswith(p + '.') for p in packages):
            return index
    return None


def test_every_product_package_has_a_layer():
    loose = sorted({n.split('.')[1] for n in MODULES
                    if n.count('.') >= 1 and _layer(n) is None})
    assert loose == [], 'packages missing from LAYERS: %s' % loose


def test_imports_point_down():
    upward = ['%s:%d imports %s' % (name, line, target)
              for name, imports in GRAPH.items()
              for target, line, _lazy in imports
              if _layer(target) is not None and _layer(name) is not None
              and _layer(target) < _layer(name)]
    assert upward == []


def test_no_import_cycle():
    # Depth-first search with colours; a grey node reached again closes
    # a cycle.
    colour, stack, cycles = {}, [], []

    def visit(name):
        colour[name] = 'grey'
        stack.append(name)
        for target, _line, _lazy in GRAPH.get(name, ()):
            if colour.get(target) == 'grey':
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in colour:
                visit(target)
        stack.pop()
        colour[name] = 'black'

    for name in sorted(GRAPH):
        if name not in colour:
            visit(name)
    assert cycles == []


def test_the_api_hides_no_import_in_a_function():
    lazy = ['%s:%d imports %s' % (name, line, target)
            for name, imports in GRAPH.items()
            if name.startswith('tacker.api')
            for target, line, inside in imports if inside]
    assert lazy == []
