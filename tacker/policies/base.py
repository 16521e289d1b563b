"""The rules the API rules are built of (Tacker 16's names and checks)."""

from oslo_policy import policy

ANY = '@'
ADMIN = 'rule:context_is_admin'
MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
READER_OR_ADMIN = 'rule:project_reader_or_admin'
DEFAULT = 'rule:default'

RULES = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        'Who counts as the cloud admin: sees and changes every project\'s '
        'records.'),
    policy.RuleDefault(
        'project_member', 'role:member and project_id:%(project_id)s',
        'A member of the project the record belongs to.'),
    policy.RuleDefault(
        'project_member_or_admin', 'rule:project_member or '
        'rule:context_is_admin',
        'A member of the record\'s project, or the admin: who may change '
        'a record.'),
    policy.RuleDefault(
        'project_reader', 'role:reader and project_id:%(project_id)s',
        'A reader of the project the record belongs to.'),
    policy.RuleDefault(
        'project_reader_or_admin', 'rule:project_reader or '
        'rule:context_is_admin',
        'A reader of the record\'s project, or the admin: who may read a '
        'record.'),
    policy.RuleDefault(
        'default', MEMBER_OR_ADMIN,
        'The rule of an action no other rule names.'),
]


def documented(name, check_str, description, method, path,
               scope_types=('project',)):
    """A rule for one API operation."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}],
        scope_types=list(scope_types) if scope_types else None)
