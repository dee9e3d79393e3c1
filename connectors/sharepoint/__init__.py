"""SharePoint Online / OneDrive document libraries over Microsoft Graph."""
