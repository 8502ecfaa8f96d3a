"""argparse in Indonesian: the words it prints around the forum's own help and errors ("usage:", "options")."""
import argparse

WORDS = {
    "usage: ": "pemakaian: ",
    "positional arguments": "argumen",
    "options": "opsi",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "the following arguments are required: %s": "argumen ini wajib: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "pilihan %(value)r tidak dikenal (pilih: %(choices)s)",
    "invalid %(type)s value: %(value)r": "nilai %(value)r tidak valid",
    "expected one argument": "butuh satu nilai",
    "expected at most one argument": "paling banyak satu nilai",
    "expected at least one argument": "butuh paling sedikit satu nilai",
    "ambiguous option: %(option)s could match %(matches)s": "opsi %(option)s rancu: bisa %(matches)s",
    "one of the arguments %s is required": "salah satu argumen ini wajib: %s",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
}


def speak_indonesian() -> None:
    """Make argparse print its own words in Indonesian.

    argparse looks each message up through the module-level `_` (gettext) when it prints, and the standard
    library ships no Indonesian catalogue, so the lookup is replaced with this table (unknown text stays as it is).
    """
    argparse._ = lambda text: WORDS.get(text, text)
