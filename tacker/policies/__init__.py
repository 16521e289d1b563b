"""The API's policy rules, registered in code with Tacker's names.

Every route tacker-server serves is decided by one rule here (the router
names it), so an operator loosens or tightens who may do what the way
every OpenStack service allows: ``[oslo_policy] policy_file`` overrides
any rule, and ``oslopolicy-sample-generator --namespace tacker`` prints
the defaults.  The defaults are Tacker 16's: project members (and the
admin) change a project's VIMs, packages and v1 instances, readers read
them; the v2 vnflcm rules allow any authenticated caller, as Tacker's do.
"""

import itertools

from tacker.policies import base
from tacker.policies import vim
from tacker.policies import vnf_package
from tacker.policies import vnflcm_v1
from tacker.policies import vnflcm_v2


def list_rules():
    return list(itertools.chain(base.RULES, vim.RULES, vnf_package.RULES,
                                vnflcm_v1.RULES, vnflcm_v2.RULES))
