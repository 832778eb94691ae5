from __future__ import annotations

from django import forms

from sanxiang.workbench.forms import StyledForm


class LoginForm(StyledForm):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)
    otp_token = forms.CharField(
        label="动态口令",
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="身份验证器应用上显示的6位数字",
    )


class EnrolForm(StyledForm):
    otp_token = forms.CharField(
        label="动态口令",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
