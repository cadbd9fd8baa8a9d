"""Mobile push through Amazon SNS (data access: the only notifications module that calls SNS):
platform endpoints on the platform applications (FCM for Android, APNs for iOS) and publishing to
one. A disabled endpoint (the app was removed, the token expired) is ``"gone"``."""

from __future__ import annotations

import json
from typing import Literal

from botocore.exceptions import ClientError
from pydantic import Field

from soko.shared import aws
from soko.shared.config import BaseConfig

PushOutcome = Literal["sent", "gone"]


class MobilePushConfig(BaseConfig):
    """The platform applications' ARNs (``SNS_ANDROID_APPLICATION_ARN``, ``SNS_IOS_APPLICATION_ARN``);
    empty: that platform is not set up (a device of it is refused with 422)."""

    sns_android_application_arn: str = ""
    sns_ios_application_arn: str = Field(default="")


class SnsEndpoints:
    def __init__(self, config: MobilePushConfig) -> None:
        self._apps = {"android": config.sns_android_application_arn, "ios": config.sns_ios_application_arn}

    def create(self, platform: str, token: str, user_id: str) -> str | None:
        """The endpoint's ARN; None when the platform has no application here."""
        app = self._apps.get(platform)
        if not app:
            return None
        answer = aws.client("sns").create_platform_endpoint(
            PlatformApplicationArn=app, Token=token, CustomUserData=user_id
        )
        arn = str(answer["EndpointArn"])
        # the same token again returns its endpoint, which SNS may have disabled: enable it again
        aws.client("sns").set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "true"})
        return arn

    def delete(self, endpoint_arn: str) -> None:
        aws.client("sns").delete_endpoint(EndpointArn=endpoint_arn)


class SnsMobilePush:
    def publish(self, endpoint_arn: str, payload: str) -> PushOutcome:
        sns = aws.client("sns")
        try:
            attributes = sns.get_endpoint_attributes(EndpointArn=endpoint_arn)["Attributes"]
            if attributes.get("Enabled", "true").lower() != "true":
                return "gone"
            message = json.loads(payload)
            notification = {"title": message.get("title", ""), "body": message.get("body", "")}
            body = {
                "default": message.get("body", ""),
                "GCM": json.dumps({"notification": notification, "data": message.get("data", {})}),
                "APNS": json.dumps({"aps": {"alert": notification}, "data": message.get("data", {})}),
            }
            sns.publish(TargetArn=endpoint_arn, Message=json.dumps(body), MessageStructure="json")
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code in {"EndpointDisabled", "NotFound", "EndpointDisabledException"}:
                return "gone"
            raise
        return "sent"
