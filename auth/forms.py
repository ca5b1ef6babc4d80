from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(message="Enter your username")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password")])
