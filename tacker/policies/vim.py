"""The legacy NFVO VIM API (``/v1.0/vims``).

Tacker 16 asks these names of its policy and, registering none of them,
decides them by ``default``; they are registered here, with that check,
so that they appear in the sample and can be overridden one by one.
"""

from tacker.policies import base

RULES = [
    base.documented('create_vim', base.DEFAULT, 'Register a VIM.',
                    'POST', '/v1.0/vims'),
    base.documented('get_vim', base.DEFAULT,
                    'Show a VIM, or list the VIMs.', 'GET',
                    '/v1.0/vims/{vim_id}'),
    base.documented('delete_vim', base.DEFAULT, 'Delete a VIM.',
                    'DELETE', '/v1.0/vims/{vim_id}'),
]
