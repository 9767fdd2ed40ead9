"""Every tunable number, name and language code of tamiz, in one place.

The library's signatures and the CLI's help text both read from here, so a
default can never differ between the two.
"""

from __future__ import annotations

# --- labels ---------------------------------------------------------------
CONTENT = "content"
BOILERPLATE = "boilerplate"
AMBIGUOUS = "ambiguous"
LABELS = (CONTENT, BOILERPLATE)
ALL_LABELS = (CONTENT, BOILERPLATE, AMBIGUOUS)

# --- paragraphs -------------------------------------------------------------
SPLIT_LINES = "lines"  # every non-empty line is a paragraph (what scrapers emit)
SPLIT_BLANK = "blank"  # blank-line separated blocks of hard-wrapped text
SPLIT_MODES = (SPLIT_LINES, SPLIT_BLANK)
DEFAULT_SPLIT = SPLIT_LINES
# Features look at most at this many characters of a paragraph; outputs keep the
# whole text. Bounds time and memory on pathological lines (a 20 MB "paragraph").
FEATURE_PREFIX_CHARS = 4000

# --- language ---------------------------------------------------------------
UNDETERMINED = "und"
OTHER = "other"
# languages the classifier sees as their own feature value; the rest are "other"
FEATURE_LANGUAGES = ("en", "es")
# fewer letters than this and the language is `und`
LANG_MIN_LETTERS = 3
# langdetect's own smoothing: alpha / BASE_FREQ added to every n-gram probability
LANG_ALPHA = 0.5
LANG_BASE_FREQ = 10000

# --- features ---------------------------------------------------------------
CHAR_NGRAM_RANGE = (2, 4)
HASH_BITS_CHAR = 18
HASH_BITS_WORD = 18
# distinct tokens whose features are kept per process (estimated from the array widths
# at about 500 bytes each, 130 MB when full); when full, the half looked up most often stays. A vocabulary larger
# than this costs speed: features of evicted tokens are computed again
TOKEN_CACHE_SIZE = 1 << 18
# neighbours considered on each side by the context stage
CONTEXT_WINDOW = 3
# lines before and after a paragraph whose lengths it is compared with, and among which the
# strongest following line is looked for (a headline under a menu, a heading before prose)
CONTEXT_RUN = 5
# repetition counts (repeats.RepeatCounts) are exact up to this many distinct paragraph
# keys (16 bytes each: 128 MiB), then a count-min sketch of DEPTH rows of 2**BITS
# counters (8 bytes each: 128 MiB); its over-count is at most 2e / 2**BITS of all counts
# with probability 1 - e**-DEPTH (0.98)
REPEAT_MAX_EXACT = 1 << 23
REPEAT_SKETCH_BITS = 22
REPEAT_SKETCH_DEPTH = 4
# document keys gathered before they are added to the counts in one sort
REPEAT_PENDING_KEYS = 1 << 20
REPEAT_CAP = 1000
# repeats are recognized by this many leading characters
REPEAT_KEY_CHARS = 500

# --- model ------------------------------------------------------------------
# the highest cross-validated macro-F1 in context of the seeds 7, 13, 21 and 42, re-run on
# each change of the training data (2026-12-06, with the run features: 0.9636, 0.9630, 0.9638, 0.9621):
# scores of borderline paragraphs move with it
SEED = 21
CV_FOLDS = 5
STAGE1_ALPHA = 1e-6
STAGE1_SAMPLE_BUDGET = 200_000  # epochs = budget / rows, clipped to the bounds below
STAGE1_MIN_EPOCHS = 4
STAGE1_MAX_EPOCHS = 20
# stage 1 is the mean of this many SGD runs under different shuffling seeds (see
# estimators.TwoStageClassifier._fit_stage1)
STAGE1_RUNS = 4
# 100 trees of up to 63 leaves: the cross-validated macro-F1 of 200 trees of 31 (within
# 0.001 over four seeds) at 0.7x the scoring time (measured with the level-by-level
# tree evaluator that preceded scorer.py's bit masks)
STAGE2_MAX_ITER = 100
STAGE2_LEARNING_RATE = 0.16
STAGE2_MAX_LEAF_NODES = 63  # at most 64: the scorer holds a tree's leaves in one 64-bit word
STAGE2_L2 = 1.0
# share of training documents whose repetition counts are hidden, so the model
# also learns to score without corpus statistics (stdin, a single document)
REPEAT_MASK_SHARE = 0.3
DEFAULT_THRESHOLD = 0.5
# operating points stored in the model card, chosen on the validation split (see
# evaluate.operating_points): `balanced` is the macro-F1 rule below; `keep-more` keeps
# content recall at or above KEEP_MORE_CONTENT_RECALL; `strict` keeps boilerplate recall at
# or above STRICT_BOILERPLATE_RECALL
BALANCED, KEEP_MORE, STRICT = "balanced", "keep-more", "strict"
MODES = (BALANCED, KEEP_MORE, STRICT)
DEFAULT_MODE = BALANCED
KEEP_MORE_CONTENT_RECALL = 0.97
STRICT_BOILERPLATE_RECALL = 0.99
# content kinds of an article's structure, reported per language by `evaluate`
STRUCTURE_KINDS = ("title", "subhead", "list_item", "table")
# thresholds are chosen on validation data: the one closest to DEFAULT_THRESHOLD among
# those within this much macro-F1 of the best (see evaluate.best_threshold)
THRESHOLD_TOLERANCE = 0.002

# --- retraining on top of the shipped data (tamiz train MY_DATA --base shipped) ---
# each of the user's labeled paragraphs counts as this many shipped ones: a few hundred
# labels of one's own corpus should move the model, next to ~17k shipped paragraphs
# that keep it from forgetting what it knew
USER_WEIGHT = 3.0
BASE_SHIPPED = "shipped"
# a user's document whose id is also a shipped document's gets this prefix, so the two
# stay separate documents (and separate cross-validation groups)
USER_DOC_PREFIX = "user:"

# --- suggest: which paragraphs are worth labeling ---
SUGGEST_N = 50
# share of the suggestions drawn uniformly at random from the corpus' paragraphs, so
# the labels also give an unbiased measure of the model on it
SUGGEST_RANDOM_SHARE = 0.10
# lines of context shown before and after a suggestion
SUGGEST_CONTEXT = 2
# at most this many suggestions from one document ...
SUGGEST_PER_DOC = 3
# ... and from one site (records' `url` host or `site` field), as a share of -n
SUGGEST_SITE_SHARE = 0.2
# default language quotas follow the corpus' languages, but no language present gets
# a smaller share than this (a rare language is where a model is least tested)
SUGGEST_MIN_LANG_SHARE = 0.2

# --- compare: an old and a new model on the same labeled data ---
# McNemar's test: below this many discordant pairs the exact binomial test, above it
# the chi-square approximation with continuity correction (the usual rule of thumb)
MCNEMAR_EXACT_BELOW = 25
# flipped paragraphs printed by `tamiz compare` (the --report page lists them all, up
# to COMPARE_REPORT_FLIPS)
COMPARE_SHOW_FLIPS = 20
COMPARE_REPORT_FLIPS = 500
COMPARE_CONTEXT = 2

# --- model files ------------------------------------------------------------
MODEL_FORMAT_VERSION = 3
MODEL_FILE = "model.skops"
SCORER_FILE = "scorer.npz"
CARD_FILE = "card.json"

# --- corpus I/O -------------------------------------------------------------
DEFAULT_TEXT_FIELD = "text"
DEFAULT_JOBS = 1
# documents sent to a worker at a time (fewer when they reach BATCH_PARAGRAPHS
# paragraphs), and the most batches in flight
BATCH_DOCS = 64
BATCH_PARAGRAPHS = 4096
# with --jobs and a known corpus size, batches shrink towards the end, down to this
MIN_BATCH_PARAGRAPHS = 256
MAX_INFLIGHT_BATCHES = 4
# the repeat-counting pass cuts the inputs into this many byte ranges per worker (the
# spare ones balance workers that finish early)
COUNT_SHARDS_PER_JOB = 4
# and no range is larger than this (an interrupted pass waits for the ranges in progress)
COUNT_SHARD_BYTES = 64 << 20
# below this many bytes of input the main process counts alone: starting workers costs
# more (10k bench paragraphs, 0.49 MB: 0.08-0.10 s alone, 0.15-0.16 s with two workers)
COUNT_WORKERS_MIN_BYTES = 2 << 20
# distinct paragraphs featurized together (bounds temporaries when training)
FEATURIZE_ROWS = 8192
# rows whose trees are evaluated together (bounds the scorer's temporary arrays)
TREE_ROWS = 4096
# `score` on a stream: paragraphs scored together (output appears per batch,
# or sooner when input pauses)
SCORE_BATCH = 1024
# isolated scores kept per distinct paragraph text (about 200 bytes each), in two
# generations of half this size: the older one is dropped when the newer one is full
ISOLATED_CACHE_SIZE = 50_000
JSONL_SUFFIXES = (".jsonl", ".ndjson")
