"""Typed errors raised while onboarding and reading VNF packages.

Every error is an ``exceptions.Invalid`` (HTTP 400) unless it says
otherwise, and its message names the file inside the package and, where
there is one, the field or entry at fault, so an operator can fix the
package without reading our code.  The keyword arguments stay available
on ``err.kwargs`` (``file``, ``field``, ...) for callers and tests.
"""

from tacker.common import exceptions


class InvalidPackage(exceptions.Invalid):
    """Base class of every package problem."""

    msg_fmt = "Invalid VNF package: %(reason)s"


# --- the CSAR (zip) itself

class InvalidZip(InvalidPackage):
    msg_fmt = "The VNF package is not a readable zip file: %(reason)s"


class UnsafeZipEntry(InvalidPackage):
    msg_fmt = ("Zip entry '%(file)s' would be extracted outside the "
               "package directory (%(reason)s).")


class PackageTooLarge(InvalidPackage):
    msg_fmt = ("The VNF package unpacks to more than %(limit)s bytes "
               "(stopped at '%(file)s').")


class ToscaMetaMissing(InvalidPackage):
    msg_fmt = "The VNF package has no '%(file)s'."


class InvalidToscaMeta(InvalidPackage):
    msg_fmt = "'%(file)s' line %(line)s: %(reason)s"


class EntryDefinitionsMissing(InvalidPackage):
    msg_fmt = ("'%(file)s' names '%(entry)s' as Entry-Definitions, but the "
               "package has no such file.")


class ArtifactMissing(InvalidPackage):
    msg_fmt = ("'%(file)s' lists artifact '%(artifact)s', but the package "
               "has no such file.")


class ArtifactHashMismatch(InvalidPackage):
    msg_fmt = ("Artifact '%(artifact)s' listed in '%(file)s' has "
               "%(algorithm)s hash %(actual)s, expected %(expected)s.")


class UnsupportedHashAlgorithm(InvalidPackage):
    msg_fmt = ("'%(file)s' gives artifact '%(artifact)s' the hash algorithm "
               "'%(algorithm)s'; supported: %(supported)s.")


# --- the VNFD

class InvalidVnfd(InvalidPackage):
    """A VNFD problem located by file and field."""

    msg_fmt = "VNFD '%(file)s', %(field)s: %(reason)s"


class VnfdYamlError(InvalidVnfd):
    msg_fmt = "VNFD '%(file)s' line %(line)s is not valid YAML: %(reason)s"


class ImportOutsidePackage(InvalidVnfd):
    msg_fmt = ("VNFD '%(file)s' imports '%(import_)s', which lies outside "
               "the package.")


class RemoteImportRejected(InvalidVnfd):
    msg_fmt = ("VNFD '%(file)s' imports '%(import_)s'; imports must be "
               "files inside the package, remote imports are never "
               "fetched.")


class ImportNotFound(InvalidVnfd):
    msg_fmt = ("VNFD '%(file)s' imports '%(import_)s', but the package has "
               "no such file.")


class FlavourNotFound(InvalidVnfd):
    msg_fmt = ("Deployment flavour '%(flavour_id)s' is not defined by the "
               "VNFD '%(file)s' (known: %(known)s).")


class VduProfileMissing(InvalidVnfd):
    msg_fmt = ("VNFD '%(file)s', %(field)s: the VDU has no vdu_profile with "
               "min_number_of_instances and max_number_of_instances.")


class ScalingPolicyMissing(InvalidVnfd):
    msg_fmt = ("VNFD '%(file)s', %(field)s: aspect '%(aspect_id)s' has no "
               "tosca.policies.nfv.VduScalingAspectDeltas policy naming "
               "its VDUs.")


class StepDeltaNotFound(InvalidVnfd):
    msg_fmt = ("VNFD '%(file)s', %(field)s: step delta '%(delta_id)s' of "
               "aspect '%(aspect_id)s' has no number_of_instances for VDU "
               "'%(vdu_id)s'.")


class VduNotFound(InvalidVnfd):
    msg_fmt = ("VDU '%(vdu_id)s' is not defined in flavour '%(flavour_id)s' "
               "(VNFD '%(file)s').")


class AspectNotFound(InvalidVnfd):
    msg_fmt = ("Scaling aspect '%(aspect_id)s' is not defined in flavour "
               "'%(flavour_id)s' (VNFD '%(file)s').")


class InstantiationLevelNotFound(InvalidVnfd):
    msg_fmt = ("Instantiation level '%(level_id)s' is not defined in flavour "
               "'%(flavour_id)s' (VNFD '%(file)s').")
