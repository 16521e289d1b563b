"""Object naming the way Kubernetes controllers do it.

Random suffixes, the generateName truncation rule and the stable
pod-template hash live here so every controller names things alike.
"""

import json
import random

# Kubernetes avoids vowels and look-alike characters in generated names.
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SUFFIX_LENGTH = 5
# 63 (the label value limit) minus the 5-character suffix.
MAX_GENERATE_BASE = 58


class NameGenerator(object):
    """Produces random suffixes; seedable for reproducible tests."""

    def __init__(self, seed=None):
        self._random = random.Random(seed)

    def suffix(self, length=SUFFIX_LENGTH):
        return "".join(self._random.choice(SAFE_ALPHABET)
                       for _ in range(length))

    def generate(self, base):
        """Name for a generateName base: cut to 58 chars, add 5 chars."""
        return base[:MAX_GENERATE_BASE] + self.suffix()


def _fnv1a_32(data):
    value = 0x811c9dc5
    for byte in data:
        value ^= byte
        value = (value * 0x01000193) & 0xffffffff
    return value


def safe_encode(text):
    """Map each character onto the safe alphabet (no vowels)."""
    return "".join(SAFE_ALPHABET[ord(ch) % len(SAFE_ALPHABET)]
                   for ch in text)


def template_hash(template, collision_count=0):
    """Stable short string for a pod template (pod-template-hash).

    The template is hashed in canonical JSON form with FNV-1a (32 bit);
    the decimal digest is then spelled in the safe alphabet, which gives
    the familiar 8-10 character value.
    """
    canonical = json.dumps(template, sort_keys=True,
                           separators=(",", ":"))
    if collision_count:
        canonical += "#%d" % collision_count
    return safe_encode(str(_fnv1a_32(canonical.encode("utf-8"))))
