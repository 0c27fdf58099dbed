# ruff: noqa: RUF001 - Ukrainian and Russian texts use Cyrillic letters that look Latin
"""Texts of the account e-mails and SMS, in the user's language (uk, ru, en)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


_TEXTS: dict[str, dict[str, Text]] = {
    "verify_email": {
        "en": Text(
            "Your VetPet verification code",
            "Your VetPet verification code is {code}. It is valid for 24 hours.\n"
            "Or open: {link}\nIf you did not register, ignore this e-mail.",
        ),
        "uk": Text(
            "Код підтвердження VetPet",
            "Ваш код підтвердження VetPet: {code}. Він дійсний 24 години.\n"
            "Або відкрийте: {link}\nЯкщо ви не реєструвалися, проігноруйте цей лист.",
        ),
        "ru": Text(
            "Код подтверждения VetPet",
            "Ваш код подтверждения VetPet: {code}. Он действителен 24 часа.\n"
            "Или откройте: {link}\nЕсли вы не регистрировались, проигнорируйте это письмо.",
        ),
    },
    "account_exists": {
        "en": Text(
            "Someone tried to register with your e-mail",
            "Someone tried to create a VetPet account with this e-mail address, which "
            "already has one. If it was you, sign in or reset your password. If not, "
            "you can ignore this e-mail.",
        ),
        "uk": Text(
            "Хтось намагався зареєструватися з вашою адресою",
            "Хтось намагався створити обліковий запис VetPet з цією адресою, яка вже має "
            "обліковий запис. Якщо це були ви, увійдіть або скиньте пароль.",
        ),
        "ru": Text(
            "Кто-то пытался зарегистрироваться с вашим адресом",
            "Кто-то пытался создать учётную запись VetPet с этим адресом, у которого уже "
            "есть учётная запись. Если это были вы, войдите или сбросьте пароль.",
        ),
    },
    "password_reset": {
        "en": Text(
            "Your VetPet password reset code",
            "Your code to reset the VetPet password is {code}. It is valid for 30 minutes.\n"
            "Or open: {link}\n"
            "If you did not ask for it, ignore this e-mail: your password stays the same.",
        ),
        "uk": Text(
            "Код скидання пароля VetPet",
            "Ваш код для скидання пароля VetPet: {code}. Він дійсний 30 хвилин.\n"
            "Або відкрийте: {link}",
        ),
        "ru": Text(
            "Код сброса пароля VetPet",
            "Ваш код для сброса пароля VetPet: {code}. Он действителен 30 минут.\n"
            "Или откройте: {link}",
        ),
    },
    "invite": {
        "en": Text(
            "You are invited to VetPet as a consultant",
            "You are invited to consult on VetPet. Your invitation code is {code} "
            "(valid for 7 days). Open the app and set your password with it: {link}",
        ),
        "uk": Text(
            "Запрошення до VetPet для консультанта",
            "Вас запрошено консультувати у VetPet. Ваш код запрошення: {code} "
            "(дійсний 7 днів). Встановіть пароль: {link}",
        ),
        "ru": Text(
            "Приглашение в VetPet для консультанта",
            "Вас пригласили консультировать в VetPet. Ваш код приглашения: {code} "
            "(действителен 7 дней). Установите пароль: {link}",
        ),
    },
    "mfa_changed": {
        "en": Text(
            "Your VetPet second factor changed",
            "A second factor of your VetPet account changed: {change}. If this was not "
            "you, reset your password now and contact us.",
        ),
        "uk": Text(
            "Другий фактор VetPet змінено",
            "Другий фактор вашого облікового запису VetPet змінено: {change}. Якщо це були "
            "не ви, негайно скиньте пароль і зверніться до нас.",
        ),
        "ru": Text(
            "Второй фактор VetPet изменён",
            "Второй фактор вашей учётной записи VetPet изменён: {change}. Если это были не "
            "вы, немедленно сбросьте пароль и свяжитесь с нами.",
        ),
    },
    "email_change": {
        "en": Text(
            "Confirm your new VetPet e-mail address",
            "Your code to make this the e-mail address of your VetPet account is {code}. "
            "It is valid for 24 hours. Until you confirm, your old address stays in use.\n"
            "If you did not ask for it, ignore this e-mail.",
        ),
        "uk": Text(
            "Підтвердьте нову адресу VetPet",
            "Ваш код, щоб зробити цю адресу адресою облікового запису VetPet: {code}. Він "
            "дійсний 24 години. Доки ви не підтвердите, діє стара адреса.",
        ),
        "ru": Text(
            "Подтвердите новый адрес VetPet",
            "Ваш код, чтобы сделать этот адрес адресом учётной записи VetPet: {code}. Он "
            "действителен 24 часа. Пока вы не подтвердите, действует старый адрес.",
        ),
    },
    "email_changed": {
        "en": Text(
            "Your VetPet e-mail address changed",
            "Your VetPet account now uses {new_email}; this address is no longer used. If "
            "this was not you, contact us at once.",
        ),
        "uk": Text(
            "Адресу VetPet змінено",
            "Ваш обліковий запис VetPet тепер використовує {new_email}; ця адреса більше не "
            "використовується. Якщо це були не ви, негайно зверніться до нас.",
        ),
        "ru": Text(
            "Адрес VetPet изменён",
            "Ваша учётная запись VetPet теперь использует {new_email}; этот адрес больше не "
            "используется. Если это были не вы, немедленно свяжитесь с нами.",
        ),
    },
    "erasure_receipt": {
        "en": Text(
            "Your VetPet account was deleted",
            "Your VetPet account and its data were deleted on {completed_at} (erasure "
            "{erasure_id}). Payment records are kept for tax law, without your name or "
            "contact details. This is the last e-mail we send to this address.",
        ),
        "uk": Text(
            "Ваш обліковий запис VetPet видалено",
            "Ваш обліковий запис VetPet і його дані видалено {completed_at} (видалення "
            "{erasure_id}). Записи про платежі зберігаються за податковим законом, без "
            "вашого імені та контактів. Це останній лист на цю адресу.",
        ),
        "ru": Text(
            "Ваша учётная запись VetPet удалена",
            "Ваша учётная запись VetPet и её данные удалены {completed_at} (удаление "
            "{erasure_id}). Записи о платежах хранятся по налоговому закону, без вашего "
            "имени и контактов. Это последнее письмо на этот адрес.",
        ),
    },
    "sms_code": {
        "en": Text("", "VetPet code: {code}. Valid 10 minutes. Do not share it."),
        "uk": Text("", "Код VetPet: {code}. Дійсний 10 хвилин. Нікому його не повідомляйте."),
        "ru": Text("", "Код VetPet: {code}. Действителен 10 минут. Никому его не сообщайте."),
    },
}


def render(kind: str, language: str, **values: str) -> Text:
    """The ``kind`` text in ``language`` (English when the language is not offered)."""
    variants = _TEXTS[kind]
    text = variants.get(language, variants["en"])
    return Text(text.subject, text.body.format(**values))
