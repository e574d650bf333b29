from django import forms

from kechuang.regions.models import Region


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ("code", "name", "short_name", "level", "kind", "parent")
