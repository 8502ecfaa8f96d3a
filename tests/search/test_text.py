"""Indonesian text handling: normalization, stems, query expansion."""
from search.text import expand_query, lexical_terms, normalize, stems, tokens


def test_slang_spelling_is_normalized_to_formal_indonesian():
    assert normalize("Gak bisa ngajuin cuti yg kmrn, gimana?") == (
        "tidak bisa mengajukan cuti yang kemarin bagaimana"
    )


def test_common_chat_abbreviations_become_formal_words():
    assert normalize("udh dgn krn kalo tdk bgt") == "sudah dengan karena kalau tidak banget"


def test_stretched_letters_and_digit_reduplication_are_undone():
    assert normalize("yaa gakk tauu") == "ya tidak tahu"
    assert normalize("aaaaaaa hmmm") == "a hm"  # a word of one letter repeated is still shortened
    assert normalize("rumah2 dinas") == "rumah-rumah dinas"


def test_a_slang_word_keeps_its_possessive_clitic():
    assert normalize("infonya") == "informasinya"


def test_punctuation_is_stripped_but_hyphenated_terms_and_numbers_survive():
    assert normalize("Gaji ke-13 (e-Kinerja): Rp1.500.000!") == "gaji ke-13 e-kinerja rp 1500000"


def test_unicode_compatibility_forms_are_folded():
    assert normalize("ＳＫＰ ﬁnal") == "skp final"


def test_civil_service_acronyms_are_not_mistaken_for_slang():
    assert tokens("Kantor BKN dan SPT tahunan") == ["kantor", "bkn", "dan", "spt", "tahunan"]


def test_pppk_keeps_its_letters_in_any_case_instead_of_becoming_the_chat_word_pakai():
    assert normalize("cuti besar pppk") == normalize("Cuti besar PPPK") == "cuti besar pppk"
    assert "pppk" in stems("Syarat cuti besar untuk PPPK")


def test_an_acronym_typed_in_capitals_is_kept_while_the_same_letters_in_chat_are_slang():
    assert normalize("Surat PK dan KK, lulusan SMP") == "surat pk dan kk lulusan smp"
    assert normalize("pk formulir cuti kk") == "pakai formulir cuti kak"
    assert normalize("GAK BISA LOGIN SIASN") == "tidak bisa login siasn"  # shouted chat is still chat


def test_roman_numerals_keep_their_letters_and_their_stem():
    assert normalize("golongan III/a, lulusan D-III") == "golongan iii a lulusan d-iii"
    assert normalize("golongan iii kelas viii") == "golongan iii kelas viii"
    assert stems("golongan III") != stems("golongan II")


def test_stems_drop_stopwords_and_share_a_root_across_affixes():
    assert stems("Pengajuan yang diajukan") == ["aju", "aju"]
    assert "tidak" in stems("tidak dapat cuti")


def test_reduplicated_words_stem_once():
    assert stems("anak-anak") == ["anak"]


def test_an_acronym_query_expands_to_its_long_form():
    assert "surat perintah perjalanan dinas" in expand_query("Cara klaim SPPD")
    assert "tambahan penghasilan pegawai" in expand_query("kapan TPP cair")


def test_a_long_form_query_expands_to_its_acronym():
    assert "bkn" in expand_query("badan kepegawaian negara")
    assert "cuti panjang" in expand_query("syarat cuti besar")


def test_expansion_does_not_repeat_terms_already_in_the_query():
    assert expand_query("ASN aparatur sipil negara") == []
    assert expand_query("rapat koordinasi biasa") == []


def test_lexical_terms_or_the_expansion_stems_into_the_query():
    terms = lexical_terms("ngajuin SPPD")
    assert terms[:2] == ["aju", "sppd"]
    assert "dinas" in terms and len(terms) == len(set(terms))


def test_the_forums_own_synonym_file_widens_expansion_but_not_the_judges_concepts(tmp_path):
    from search.text import concepts, use_local_synonyms
    path = tmp_path / "synonyms.json"
    path.write_text('{"groups": [["SIMPEG", "sistem informasi manajemen kepegawaian"]]}', encoding="utf-8")
    before = concepts("login simpeg gagal terus")
    try:
        assert use_local_synonyms(path) == 1
        assert "sistem informasi manajemen kepegawaian" in expand_query("login simpeg gagal terus")
        assert "simpeg" in expand_query("Sistem informasi manajemen kepegawaian tidak bisa dibuka")
        assert concepts("login simpeg gagal terus") == before  # the judge keeps the groups it was trained with
    finally:
        use_local_synonyms(None)
    assert expand_query("login simpeg gagal terus") == []


def test_a_broken_synonym_file_is_refused_with_an_indonesian_reason(tmp_path):
    import pytest

    from search.text import use_local_synonyms
    path = tmp_path / "synonyms.json"
    path.write_text('{"groups": ["simpeg"]}', encoding="utf-8")
    with pytest.raises(ValueError, match="tidak valid"):
        use_local_synonyms(path)
    with pytest.raises(ValueError, match="tidak bisa dibaca"):
        use_local_synonyms(tmp_path / "missing.json")
    assert expand_query("login simpeg") == []  # nothing half-applied


def test_a_short_chat_word_typed_in_lowercase_is_also_read_as_the_acronym_a_post_writes_in_capitals():
    from search.text import acronym_readings
    assert acronym_readings("perpanjangan pk pppk") == [("pk", "pakai")]
    assert "pk" in lexical_terms("perpanjangan pk pppk") and "paka" in lexical_terms("perpanjangan pk pppk")
    assert acronym_readings("PK pppk") == []  # typed in capitals: already the acronym
    assert acronym_readings("cuti besar") == []
