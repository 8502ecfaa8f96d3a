"""How strong a password must be: long enough, not common, not the member's own name, hard for zxcvbn to guess."""
import re

from zxcvbn import zxcvbn

from forum.errors import ValidationFailed

_COMMON = {"password", "kata sandi", "katasandi", "1234567890", "qwertyuiop", "indonesia1", "bismillah1"}
_LOCAL_WORDS = ("indonesia", "merdeka", "bismillah", "rahasia", "sandi", "katasandi", "sayang", "cinta", "jakarta",
                "garuda", "pancasila", "asn", "pns", "pppk", "cpns", "bkn", "forum", "progresif", "pegawai", "kantor")
MIN_STRENGTH = 3  # zxcvbn score: 3 = about 10^10 guesses needed, out of reach online and costly against argon2


def check_password_strength(password: object, username: str = "", personal: tuple[str, ...] = ()) -> str:
    """Return the password if strong enough, else raise a ValidationFailed in Indonesian."""
    if not isinstance(password, str) or not password:
        raise ValidationFailed("Kata sandi wajib diisi.", field="password")
    if len(password) < 10:
        raise ValidationFailed("Kata sandi minimal 10 karakter.", field="password")
    if len(password) > 200:
        raise ValidationFailed("Kata sandi maksimal 200 karakter.", field="password")
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 5 or (username and username.lower() in lowered):
        raise ValidationFailed(
            "Kata sandi terlalu lemah: hindari nama pengguna, kata umum, atau karakter berulang.", field="password"
        )
    if password.isdigit() or password.isalpha():
        raise ValidationFailed("Kata sandi harus memuat huruf dan angka atau simbol.", field="password")
    if _only_names(re.sub(r"[^a-z]", "", lowered), set(personal)):
        # zxcvbn scores "AyuPratiwi2025" 3: it reads the year as a keyboard pattern; a colleague would guess it.
        raise ValidationFailed("Kata sandi jangan hanya nama atau email Anda ditambah angka.", field="password")
    # zxcvbn estimates how many guesses a password takes (common passwords, keyboard walks, years, l33t);
    # its dictionaries are English, so the Indonesian words people reach for are given as "personal" inputs.
    # Words of one or two letters would match inside almost any password: zxcvbn gets the longer ones only.
    if zxcvbn(password, user_inputs=[*_LOCAL_WORDS, *(w for w in personal if len(w) > 2)])["score"] < MIN_STRENGTH:
        raise ValidationFailed("Kata sandi terlalu mudah ditebak (mis. kata umum diikuti angka atau tahun, urutan "
                               "tombol keyboard). Gabungkan beberapa kata yang tidak berhubungan dengan angka atau "
                               "simbol, mis. Kopi-Hujan-Sepeda-27.", field="password")
    return password


def _only_names(letters: str, names: set[str]) -> bool:
    """Whether `letters` is nothing but the member's own name parts one after another ("ayupratiwi")."""
    if not letters or not names:
        return False
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(reachable[end - len(n)] and letters.endswith(n, 0, end) for n in names if len(n) <= end)
    return reachable[-1]


def personal_words(*values: object) -> tuple[str, ...]:
    """Words of the member's own name and e-mail name (not its domain, shared by a whole agency), which a password
    should not lean on."""
    # Short parts are kept: "I Made Sudarma" and "QA Tester" make "imadesudarma88" and "qatester123" (QA pass).
    return tuple(w for v in values if isinstance(v, str) for w in re.split(r"[^\w]+", v.lower().split("@")[0]) if w)
