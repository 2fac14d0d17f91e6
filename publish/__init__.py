"""Publishing tools: the release zip and the brand images.

``python -m publish.release`` (run by ``scripts/release``) builds the zip HACS installs;
``python -m publish.brand`` draws the integration's brand images.
"""
