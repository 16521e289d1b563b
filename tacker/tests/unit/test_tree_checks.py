"""Checks on the whole tree that CI would otherwise not run: style, docs
and release notes."""

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
