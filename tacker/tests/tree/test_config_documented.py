"""Every option this project defines is explained in the config guide."""

import os

from tacker.conf import opts

GUIDE = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                     'doc', 'source', 'configuration', 'index.rst')


def test_every_tacker_option_is_in_the_configuration_guide():
    with open(GUIDE) as guide:
        text = guide.read()
    missing = []
    for group, options in opts.list_opts():
        name = getattr(group, 'name', group)
        if '[%s]' % name not in text:
            missing.append('[%s]' % name)
        missing += ['[%s] %s' % (name, o.name) for o in options
                    if '``%s``' % o.name not in text]
    assert missing == []
