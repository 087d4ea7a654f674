<%@ Page Language="C#" %>
<%@ Import Namespace="System.Web.Configuration" %>
<script runat="server">
  protected void Save_Click(object sender, EventArgs e) {
    if (!User.IsInRole("Administrators")) return;
    var config = WebConfigurationManager.OpenWebConfiguration("~");
    config.AppSettings.Settings.Remove("SiteTitle");
    config.AppSettings.Settings.Add("SiteTitle", TitleBox.Text);
    config.Save();
    Message.Text = "Saved.";
  }
</script>
<html><body><asp:TextBox ID="TitleBox" runat="server" /><asp:Button OnClick="Save_Click" Text="Save" runat="server" /><asp:Label ID="Message" runat="server" /></body></html>
