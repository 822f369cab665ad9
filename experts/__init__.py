"""The bureau's advisory pool of experts (返乡创业专家库) and how they are matched to cases."""
