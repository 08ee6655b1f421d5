"""kjqg_model: probabilities of meeting Guangxi science-and-technology plan targets."""

__version__ = "0.1.0"
