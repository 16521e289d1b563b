"""The committed sample configuration is what the generator writes."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SAMPLE = os.path.join(ROOT, 'etc', 'tacker', 'tacker.conf.sample')


def _sections(text):
    sections, name = {}, None
    for line in text.splitlines(keepends=True):
        if line.startswith('['):
            name = line.strip()
            sections[name] = ''
        elif name:
            sections[name] += line
    return sections


def test_committed_sample_config_is_current(tmp_path):
    generator_conf = tmp_path / 'gen.conf'
    out = tmp_path / 'tacker.conf.sample'
    generator_conf.write_text('[DEFAULT]\noutput_file = %s\nwrap_width = 79\n'
                              'namespace = tacker\n' % out)
    subprocess.run([sys.executable, '-m', 'oslo_config.generator',
                    '--config-file', str(generator_conf)], check=True,
                   capture_output=True, timeout=60)
    with open(SAMPLE) as committed_file:
        committed = _sections(committed_file.read())
    generated = _sections(out.read_text())
    stale = [name for name, body in generated.items()
             if body.strip() and body.strip() not in committed.get(name, '')]
    assert stale == [], ('etc/tacker/tacker.conf.sample is stale; run '
                         'tox -e genconfig')
    assert '#interval = 300' in committed['[database_sync]']


def test_committed_policy_sample_is_current(tmp_path):
    out = tmp_path / 'policy.yaml.sample'
    generator = os.path.join(os.path.dirname(sys.executable),
                             'oslopolicy-sample-generator')
    subprocess.run([generator, '--namespace', 'tacker', '--output-file',
                    str(out)], check=True, capture_output=True, timeout=60)
    with open(os.path.join(ROOT, 'etc', 'tacker',
                           'policy.yaml.sample')) as committed:
        assert committed.read() == out.read_text(), (
            'etc/tacker/policy.yaml.sample is stale; run '
            'oslopolicy-sample-generator --config-file '
            'etc/tacker/policy-generator.conf')
