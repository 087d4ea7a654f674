<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
protected void Go_Click(object sender, EventArgs e) { RunTask(Task.SelectedItem.Text); Status.Text = "started"; }
void RunTask(string name) {
  var psi = new ProcessStartInfo();
  psi.FileName = Server.MapPath("~/App_Data/tasks/" + name + ".exe");
  psi.UseShellExecute = false;
  Process.Start(psi);
}
</script>
<form runat="server"><asp:DropDownList ID="Task" runat="server"><asp:ListItem>reindex</asp:ListItem><asp:ListItem>cleanup</asp:ListItem></asp:DropDownList>
<asp:Button ID="Go" runat="server" OnClick="Go_Click" Text="Run" /><asp:Label ID="Status" runat="server" /></form>
