"""Checks on the whole tree that CI would otherwise not run: style, docs,
release notes and which code may import the tests."""

import ast
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _run(*args, timeout=300):
    return subprocess.run([sys.executable, '-m', *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_flake8_with_hacking_is_clean():
    result = _run('flake8')
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_documentation_builds_without_warnings(tmp_path):
    result = _run('sphinx', '-W', '--keep-going', '-q', '-b', 'html',
                  os.path.join(ROOT, 'doc', 'source'), str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_notes_are_valid_yaml_with_known_sections():
    import yaml
    notes = os.path.join(ROOT, 'releasenotes', 'notes')
    known = {'prelude', 'features', 'issues', 'upgrade', 'deprecations',
             'critical', 'security', 'fixes', 'other'}
    names = sorted(os.listdir(notes))
    assert names
    for name in names:
        with open(os.path.join(notes, name)) as f:
            note = yaml.safe_load(f)
        assert set(note) <= known, name


# Which modules may import what: the product never imports its tests, and
# the Kubernetes simulator is reached as ``tacker_k8s_sim`` only.
TESTS = 'tacker.tests'
OLD_SIMULATOR = ('tacker.tests.k8s_sim', 'tacker.tests.unit.k8s_sim')


def _python_files(*tops):
    for top in tops:
        path = os.path.join(ROOT, top)
        if os.path.isfile(path):
            yield top
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d != '__pycache__')
            for name in sorted(filenames):
                if name.endswith('.py'):
                    yield os.path.relpath(os.path.join(dirpath, name), ROOT)


def _module_name(relpath):
    parts = relpath[:-len('.py')].split(os.sep)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def _imported(relpath, root):
    """(line, module) for every module the file imports or names.

    Relative imports are resolved, ``from a import b`` gives both ``a``
    and ``a.b``, and a string constant that is a dotted name starting
    with ``tacker`` counts too (``pytest_plugins``, ``python -m``,
    ``importlib``).
    """
    with open(os.path.join(root, relpath)) as f:
        tree = ast.parse(f.read(), relpath)
    package = _module_name(relpath)
    if not relpath.endswith('__init__.py'):
        package = package.rpartition('.')[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = package.split('.')
                up = up[:len(up) - (node.level - 1)]
                base = '.'.join(up + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, base + '.' + alias.name
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and node.value.startswith('tacker')
              and node.value.replace('.', '').replace('_', '').isalnum()):
            yield node.lineno, node.value


def _is_under(module, package):
    return module == package or module.startswith(package + '.')


def _violations(files, forbidden, root=ROOT):
    found = []
    for relpath in files:
        for line, module in _imported(relpath, root):
            if any(_is_under(module, p) for p in forbidden):
                found.append('%s:%d: %s' % (relpath, line, module))
    return sorted(set(found))


def _product_files():
    tests = os.path.join('tacker', 'tests') + os.sep
    return [p for p in _python_files('tacker') if not p.startswith(tests)]


def test_product_never_imports_the_tests():
    """The product, the simulator and the benchmarks never import tests.

    That is every module under tacker/ outside tacker/tests, all of
    tacker_k8s_sim/ and benchmarks/.
    """
    files = _product_files() + list(_python_files('tacker_k8s_sim',
                                                  'benchmarks'))
    assert files
    assert _violations(files, (TESTS,)) == []


def test_simulator_is_imported_as_tacker_k8s_sim():
    """Nothing imports the simulator from its old place in tacker/tests."""
    # This file names the old place on purpose.
    this = os.path.join('tacker', 'tests', 'tree', 'test_tree_checks.py')
    files = [p for p in _python_files('tacker', 'tacker_k8s_sim',
                                      'benchmarks', 'tools', 'conftest.py')
             if p != this]
    assert _violations(files, OLD_SIMULATOR) == []


@pytest.mark.parametrize('source, expected', [
    ('from tacker.tests import fixtures', ['tacker.tests']),
    ('import tacker.tests.k8s_sim.simulator', ['tacker.tests',
                                               'tacker.tests.k8s_sim']),
    ('from tacker import tests', ['tacker.tests']),
    ('from ..tests import base', ['tacker.tests']),
    ("plugins = ['tacker.tests.k8s_sim.pytest_plugin']",
     ['tacker.tests', 'tacker.tests.k8s_sim']),
    ('from tacker.common import rpc', []),
    ('import tacker_k8s_sim', []),
    ("help = 'tacker.tests and more'", []),
])
def test_import_check_sees_every_form(tmp_path, source, expected):
    """The check itself: absolute, relative and string forms are seen."""
    package = tmp_path / 'tacker' / 'sandbox'
    package.mkdir(parents=True)
    (package / 'mod.py').write_text(source + '\n')
    relpath = os.path.join('tacker', 'sandbox', 'mod.py')
    got = [p for p in ('tacker.tests', 'tacker.tests.k8s_sim')
           if _violations([relpath], (p,), root=str(tmp_path))]
    assert got == expected
